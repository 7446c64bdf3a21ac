"""Bulletins (通报) and the meeting screen (大屏): the documents and the screen a race is for."""
