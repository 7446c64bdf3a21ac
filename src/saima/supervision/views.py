from django.http import HttpResponse


def ledger(request):
    return HttpResponse("")
