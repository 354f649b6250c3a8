"""Settings: demo by default, live only when complete, problems named without secrets."""

import subprocess
import sys
from pathlib import Path

import pytest

from brcc_core.common.secret import Secret
from brcc_core.settings import SettingsError, load_settings
from tests.app_env import without_settings

LIVE = {
    "BRCC_WC_URL": "https://club.example/",
    "BRCC_WC_CONSUMER_KEY": "ck_live_key_value_1234",
    "BRCC_WC_CONSUMER_SECRET": "cs_live_secret_value_5678",
    "BRCC_EB_TOKEN": "EBTOKENSECRET99",
    "BRCC_EB_ORGANIZATION_ID": "698566935713",
    "BRCC_WP_DB_URL": "mysql+pymysql://wp:dbpass-s3cret@db.example:3306/wordpress",
}
SECRET_VALUES = [
    "ck_live_key_value_1234",
    "cs_live_secret_value_5678",
    "EBTOKENSECRET99",
    "dbpass-s3cret",
]


def test_no_credentials_means_demo_mode_with_defaults():
    s = load_settings({}, dotenv_path=None)
    assert s.is_demo
    assert s.timezone == "America/Toronto"
    assert s.venue_capacity == 55
    # The demo's files live apart from the club's (data/): brcc_core/store/systems.py
    assert s.data_dir == Path("data/demo")
    assert s.sandbox_db_url == "sqlite:///data/demo/sandbox.db"
    assert s.state_db_url == "sqlite:///data/demo/state.db"


def test_live_state_defaults_to_data_apart_from_the_demo():
    s = load_settings(LIVE, dotenv_path=None)
    assert s.data_dir == Path("data")
    assert s.state_db_url == "sqlite:///data/state.db"


def test_data_dir_moves_default_databases():
    s = load_settings({"BRCC_DATA_DIR": "/tmp/brcc"}, dotenv_path=None)
    assert s.sandbox_db_url == "sqlite:////tmp/brcc/sandbox.db"


def test_complete_live_settings():
    s = load_settings(LIVE, dotenv_path=None)
    assert s.mode == "live"
    assert s.wc_url == "https://club.example"
    assert s.wc_consumer_secret.reveal() == "cs_live_secret_value_5678"
    assert s.wp_db_url.reveal().endswith("@db.example:3306/wordpress")


def test_live_db_from_parts():
    env = {k: v for k, v in LIVE.items() if k != "BRCC_WP_DB_URL"}
    env.update(
        BRCC_WP_DB_HOST="db",
        BRCC_WP_DB_USER="wp",
        BRCC_WP_DB_PASSWORD="p@ss:w/rd",
        BRCC_WP_DB_NAME="wordpress",
    )
    s = load_settings(env, dotenv_path=None)
    from sqlalchemy import make_url

    url = make_url(s.wp_db_url.reveal())
    assert (url.host, url.port, url.password, url.database) == (
        "db",
        3306,
        "p@ss:w/rd",
        "wordpress",
    )


def test_partial_live_settings_name_every_missing_variable():
    with pytest.raises(SettingsError) as err:
        load_settings(
            {"BRCC_EB_TOKEN": "EBTOKENSECRET99", "BRCC_VENUE_CAPACITY": "lots"}, dotenv_path=None
        )
    message = str(err.value)
    for name in (
        "BRCC_WC_URL",
        "BRCC_WC_CONSUMER_KEY",
        "BRCC_WC_CONSUMER_SECRET",
        "BRCC_EB_ORGANIZATION_ID",
        "BRCC_WP_DB_HOST",
        "BRCC_VENUE_CAPACITY",
    ):
        assert name in message
    assert "EBTOKENSECRET99" not in message
    assert len(err.value.problems) >= 6


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"BRCC_TIMEZONE": "Mars/Olympus"}, "BRCC_TIMEZONE"),
        ({"BRCC_WC_URL": "club.example"}, "BRCC_WC_URL"),
        ({"BRCC_WC_URL": "https://u:cs_live_secret_value_5678@club.example"}, "BRCC_WC_URL"),
        ({"BRCC_EB_ORGANIZATION_ID": "org-1"}, "BRCC_EB_ORGANIZATION_ID"),
        ({"BRCC_WP_DB_URL": "not a url dbpass-s3cret"}, "BRCC_WP_DB_URL"),
        ({"BRCC_VENUE_CAPACITY": "0"}, "BRCC_VENUE_CAPACITY"),
        ({"BRCC_WP_TABLE_PREFIX": "wp; DROP"}, "BRCC_WP_TABLE_PREFIX"),
    ],
)
def test_malformed_settings_are_named_without_secrets(change, named):
    with pytest.raises(SettingsError) as err:
        load_settings({**LIVE, **change}, dotenv_path=None)
    assert named in str(err.value)
    for secret in SECRET_VALUES:
        assert secret not in str(err.value)


def test_secrets_never_show_in_repr_or_summary():
    s = load_settings(LIVE, dotenv_path=None)
    shown = repr(s) + str(s) + f"{s.eb_token}" + repr(s.summary())
    for secret in SECRET_VALUES:
        assert secret not in shown
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(Secret("x"))


def test_dotenv_file_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("BRCC_VENUE_CAPACITY=60\nBRCC_TIMEZONE=America/Vancouver\n")
    s = load_settings({"BRCC_TIMEZONE": "America/Toronto"}, dotenv_path=env_file)
    assert s.venue_capacity == 60
    assert s.timezone == "America/Toronto"


def test_check_command_exits_nonzero_with_message_and_no_traceback(tmp_path):
    env = without_settings()
    env.pop("BRCC_NOW", None)  # a live configuration: the app's clock is the real one
    env.update({"BRCC_EB_TOKEN": "EBTOKENSECRET99", "BRCC_WC_URL": "ftp://x"})
    proc = subprocess.run(
        [sys.executable, "-m", "brcc_core.settings"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).parents[1])},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "BRCC_WC_URL" in proc.stderr and "BRCC_WC_CONSUMER_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "EBTOKENSECRET99" not in proc.stderr + proc.stdout


def test_check_command_prints_masked_summary(tmp_path):
    env = without_settings()
    env.pop("BRCC_NOW", None)  # a live configuration: the app's clock is the real one
    env.update(LIVE)
    proc = subprocess.run(
        [sys.executable, "-m", "brcc_core.settings"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).parents[1])},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "live" in proc.stdout and "db.example" in proc.stdout
    for secret in SECRET_VALUES:
        assert secret not in proc.stdout


def test_fingerprint_changes_with_a_secret_but_does_not_reveal_it():
    a = load_settings(LIVE, dotenv_path=None)
    b = load_settings({**LIVE, "BRCC_EB_TOKEN": "OTHERTOKEN123"}, dotenv_path=None)
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == load_settings(LIVE, dotenv_path=None).fingerprint()
    assert "EBTOKENSECRET99" not in a.fingerprint()
