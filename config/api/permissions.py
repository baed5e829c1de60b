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
        return True
