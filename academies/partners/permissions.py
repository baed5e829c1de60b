"""Who may call the API at all, and which callers may write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .scoping import caller_of


class IsPartnerOrCoordinator(permissions.BasePermission):
    """A partner key (read-write keys for writes) or a coordinator's session. Anyone else is refused."""

    message = _("This key is read-only.")

    def has_permission(self, request, view) -> bool:
        caller = caller_of(request)
        if caller is None:
            if request.user and request.user.is_authenticated:
                self.message = _("Only coordinators (staff accounts) and partner API keys may use the API.")
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if caller.read_only:
            self.message = _("This key is read-only.")
            return False
        permission = _model_permission(view)
        if caller.actor.user is not None and permission is not None and not caller.actor.may(permission):
            # A staff session writes only what the account's role may write in the admin: an observer nothing.
            self.message = _("Your role does not allow this change.")
            return False
        return True


# The model permission a generic write needs. Workflow actions (verify, approve, reject) are checked by their
# services, which know the rule and say it by name.
ACTION_PERMISSIONS = {
    "create": "add",
    "bulk": "add",
    "upsert": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


def _model_permission(view) -> str | None:
    action = ACTION_PERMISSIONS.get(getattr(view, "action", None) or "")
    queryset = getattr(view, "queryset", None)
    if action is None or queryset is None:
        return None
    options = queryset.model._meta
    return f"{options.app_label}.{action}_{options.model_name}"
