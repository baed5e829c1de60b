"""What a person does in the admin in the browser tests: log in with the factories' password, pick from an
autocomplete widget, fill in a new cohort."""

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


def fill_new_cohort(page, reference: str, *, starts_on, ends_on, seats: int) -> None:
    """Open the cohort's add page and fill it in for the basic soldier course at Zagan, as a coordinator would."""
    page.goto("/admin/trainees/cohort/add/")
    page.fill("#id_reference", reference)
    choose_autocomplete(page, "course", "basic", "Basic soldier course")
    choose_autocomplete(page, "academy", "Zagan", "Zagan Training Centre")
    page.fill("#id_starts_on", starts_on.isoformat())
    page.fill("#id_ends_on", ends_on.isoformat())
    page.fill("#id_seats", str(seats))
