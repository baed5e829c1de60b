"""What a person does in the admin in every browser test: log in with the factories' password, pick from an
autocomplete widget."""

from tests.factories import PASSWORD


def log_in(page, username: str, *, next_url: str = "/admin/", then: str = "#mission-dashboard") -> None:
    """Log in on the admin's login page, and wait for `then` on the page it leads to (by default the dashboard)."""
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector(then)


def choose_autocomplete(page, field: str, search: str, option_text: str) -> None:
    """Pick an option in one of the admin's select2 autocomplete widgets, as a user would."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.click(f".select2-results__option:has-text('{option_text}')")
