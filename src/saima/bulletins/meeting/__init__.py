"""Meeting mode (大屏): the race's figures on the meeting room's screen."""
