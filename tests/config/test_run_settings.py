"""Where `make run` listens and which URL it prints (scripts/run.py)."""

from __future__ import annotations

from pathlib import Path

from scripts.run import procfile, read_env_file, run_settings

DOTENV = {"POSTDECK_BASE_URL": "http://127.0.0.1:8000", "POSTDECK_PORT": "8000"}


def test_the_port_from_the_environment_wins_and_the_local_url_follows_it():
    settings = run_settings({"POSTDECK_PORT": "38123"}, DOTENV)
    assert settings == {
        "POSTDECK_PORT": "38123",
        "POSTDECK_BIND": "127.0.0.1",
        "POSTDECK_BASE_URL": "http://127.0.0.1:38123",
    }


def test_dotenv_gives_port_and_bind_when_the_environment_does_not():
    every_interface = "0.0.0.0"  # noqa: S104 (the value under test)
    dotenv = {**DOTENV, "POSTDECK_PORT": "9000", "POSTDECK_BIND": every_interface}
    settings = run_settings({}, dotenv)
    assert settings["POSTDECK_BIND"] == every_interface
    assert settings["POSTDECK_BASE_URL"] == "http://127.0.0.1:9000"


def test_a_base_url_set_in_the_environment_is_used_as_given():
    settings = run_settings(
        {"POSTDECK_PORT": "9000", "POSTDECK_BASE_URL": "https://demo.example.com/"},
        DOTENV,
    )
    assert settings["POSTDECK_BASE_URL"] == "https://demo.example.com"


def test_env_file_and_procfile_are_read(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nPOSTDECK_PORT='8100'\n\nBROKEN LINE\n")
    proc = tmp_path / "Procfile"
    proc.write_text("web: gunicorn -c config/gunicorn.py config.wsgi\n")
    assert read_env_file(env_file) == {"POSTDECK_PORT": "8100"}
    assert read_env_file(tmp_path / "missing") == {}
    assert procfile(proc) == [
        ("web", ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"])
    ]
