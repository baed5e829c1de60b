from django.core.management import get_commands

from mission.management.commands.setup_local import STEPS


def test_every_setup_step_is_a_command_that_exists():
    known = get_commands()
    assert [name for name, _options in STEPS if name not in known] == []


def test_the_demo_login_is_created_after_the_roles_it_joins():
    order = [name for name, _options in STEPS]
    assert order.index("setup_roles") < order.index("ensure_demo_logins")
    assert order.index("migrate") < order.index("load_reference_data") < order.index("seed_demo")
