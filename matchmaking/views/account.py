"""A person's own account: notifications, their data, closing the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matchmaking import privacy
from matchmaking.forms import (
    DeleteAccountForm,
)
from matchmaking.models import Notification
from matchmaking.views.common import act
from services.pagination import ListPaginator


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user)
    page = ListPaginator(notifications, 25).get_page(request.GET.get("page"))
    unread_ids = [n.pk for n in page.object_list if n.read_at is None]
    response = render(
        request,
        "matchmaking/notification_list.html",
        {"page": page, "unread_ids": set(unread_ids)},
    )
    Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return response


@login_required
def your_data(request):
    return render(request, "matchmaking/your_data.html")


@login_required
def your_data_download(request):
    body = json.dumps(privacy.personal_data(request.user), indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="kith-my-data.json"'
    return response


@login_required
def account_delete(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        if act(request, lambda: privacy.account_delete(user=request.user)):
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
        return redirect("matchmaking:your_data")
    return render(request, "matchmaking/account_delete.html", {"form": form})
