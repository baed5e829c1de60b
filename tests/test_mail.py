"""Local mail: one standard .eml file per message under EMAIL_FILE_PATH, even through one shared connection."""

from email import message_from_bytes

from django.core import mail

from config.mail import OneFilePerMessageBackend


def test_each_message_of_one_connection_gets_its_own_file(tmp_path):
    connection = OneFilePerMessageBackend(file_path=str(tmp_path))
    messages = [
        mail.EmailMessage(subject=f"Report {number}", body="Figures", to=["leadership@example.eu"])
        for number in range(3)
    ]
    with connection:
        assert connection.send_messages(messages[:2]) == 2
        assert connection.send_messages(messages[2:]) == 1
    files = sorted(tmp_path.iterdir())
    assert len(files) == 3 and all(path.suffix == ".eml" for path in files)
    subjects = sorted(message_from_bytes(path.read_bytes())["Subject"] for path in files)
    assert subjects == ["Report 0", "Report 1", "Report 2"]
    # A whole message and nothing else: no separator line after it, as Django's own file backend writes.
    assert all(b"-" * 79 not in path.read_bytes() for path in files)


def test_the_local_settings_select_it_unless_a_server_is_named(monkeypatch):
    import runpy

    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert runpy.run_module("config.settings.local")["EMAIL_BACKEND"] == "config.mail.OneFilePerMessageBackend"
