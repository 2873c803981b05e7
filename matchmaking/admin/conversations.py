"""A match's conversation in the admin: readable only while a concern is open, every read
logged.

Staff never take part in a conversation. A member of staff working in the match's area (or
a safeguarding lead) may read it while a concern they can see about the match, or about
anyone in it, is open (conversations.conversations_readable_by_staff); each time the page is
opened an "accessed" entry goes into the audit trail. The privacy notice tells people so.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from matchmaking import conversations
from matchmaking.admin.common import NoRawEdits

# Reading a conversation is part of handling a concern: whoever may view concerns
# (council staff, safeguarding leads) may open it, within the rule above.
READ_PERMISSION = "matchmaking.view_concern"


def conversation_admin_url(user, match):
    """The admin page of the match's conversation if `user` may read it now, else ""."""
    conversation = conversations.conversations_readable_by_staff(user).filter(match=match).first()
    if conversation is None:
        return ""
    return reverse("admin:matchmaking_conversation_change", args=[conversation.pk])


class ConversationAdmin(NoRawEdits, admin.ModelAdmin):
    change_form_template = "admin/matchmaking/conversation/change_form.html"
    fields = ["match_name", "opened_at"]
    readonly_fields = fields
    list_display = ["__str__", "match_name", "opened_at"]
    list_select_related = ["match__need", "match__provider__user"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return conversations.conversations_readable_by_staff(request.user).select_related(
            "match__need", "match__provider__user"
        )

    def has_module_permission(self, request):
        return request.user.has_perm(READ_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(READ_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description="Match")
    def match_name(self, conversation):
        return str(conversation.match)

    def history_view(self, request, object_id, extra_context=None):
        # The audit trail of a conversation is read in the audit log, not here.
        raise PermissionDenied

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            match = obj.match
            resident_side = {match.need.requested_by_id, match.need.resident_id}
            context["conversation_messages"] = [
                (message, "resident" if message.sender_id in resident_side else "provider")
                for message in conversations.conversation_staff_read(
                    conversation=obj, actor=request.user
                )
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)
