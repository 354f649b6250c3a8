"""Settings: demo by default, live only when complete, problems named without secrets."""

import subprocess
import sys
from pathlib import Path

import pytest

from brcc_core.common.secret import Secret
from brcc_core.settings import SettingsError, load_settings
from tests import faketime_sleep
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
        env=faketime_sleep.with_repo_on_path(Path(__file__).parents[1], env),
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
        env=faketime_sleep.with_repo_on_path(Path(__file__).parents[1], env),
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


def test_every_bad_value_is_reported_at_once_in_words_without_secrets():
    env = {
        **LIVE,
        "BRCC_VENUE_CAPACITY": "lots",
        "BRCC_PAGE_DEADLINE_SECONDS": "0",
        "BRCC_EB_WRITE_RESERVE": "5000",
        "BRCC_SANDBOX_SCALE": "huge",
        "BRCC_TIMEZONE": "Mars/Olympus",
        "BRCC_CACHE_KEY": "short-cache-key",
        "BRCC_EB_ORGANIZATION_ID": "org-1",
        "BRCC_WP_DB_URL": "not a url dbpass-s3cret",
    }
    del env["BRCC_EB_TOKEN"]
    with pytest.raises(SettingsError) as err:
        load_settings(env, dotenv_path=None)
    problems = err.value.problems
    expected = {
        "BRCC_VENUE_CAPACITY": "must be a whole number, at least 1 (got 'lots')",
        "BRCC_PAGE_DEADLINE_SECONDS": "must be a whole number, at least 1 and at most 60",
        "BRCC_EB_WRITE_RESERVE": "at least 0 and at most 1,900 (got '5000')",
        "BRCC_SANDBOX_SCALE": "must be 'club' or 'large' (got 'huge')",
        "BRCC_TIMEZONE": "is not a known timezone",
        "BRCC_CACHE_KEY": "must be at least 16 characters",
        "BRCC_EB_ORGANIZATION_ID": "must be digits only",
        "BRCC_WP_DB_URL": "is not a database URL",
        "BRCC_EB_TOKEN": "is missing",
    }
    # one sentence per bad variable, each starting with its name
    assert sorted(p.split()[0] for p in problems) == sorted(expected)
    for name, says in expected.items():
        assert any(p.startswith(name) and says in p for p in problems), (name, problems)
    shown = str(err.value)
    for secret in [*SECRET_VALUES, "short-cache-key"]:
        assert secret not in shown
    assert "pydantic" not in shown.lower() and "validation error" not in shown.lower()


def test_the_wordpress_database_names_each_missing_part():
    env = {k: v for k, v in LIVE.items() if k != "BRCC_WP_DB_URL"}
    with pytest.raises(SettingsError) as err:
        load_settings({**env, "BRCC_WP_DB_HOST": "db"}, dotenv_path=None)
    (problem,) = err.value.problems
    assert "BRCC_WP_DB_USER" in problem and "BRCC_WP_DB_NAME" in problem
    assert "BRCC_WP_DB_HOST" not in problem.split("(")[0]
    with pytest.raises(SettingsError, match="BRCC_WP_DB_PORT must be a whole number"):
        load_settings({**env, "BRCC_WP_DB_PORT": "70000"}, dotenv_path=None)


def test_a_forced_demo_reads_no_live_setting():
    s = load_settings({**LIVE, "BRCC_MODE": "demo", "BRCC_WC_URL": "ftp://x"}, dotenv_path=None)
    assert s.is_demo and s.wc_url is None and s.eb_token is None


def test_max_capacity_below_the_venue_is_named_with_other_problems():
    with pytest.raises(SettingsError) as err:
        load_settings({"BRCC_MAX_CAPACITY": "40", "BRCC_TIMEZONE": "Nowhere"}, dotenv_path=None)
    assert len(err.value.problems) == 2
    assert "BRCC_MAX_CAPACITY (40) must be at least the venue capacity (55)" in str(err.value)


def _declared_default(field) -> str:
    """A declared default as the README's table shows it."""
    extra = field.json_schema_extra or {}
    if extra.get("shown_default"):
        return extra["shown_default"]
    return "" if field.default in (None, ()) else f"`{field.default}`"


def _readme_settings_table() -> dict[str, str]:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `BRCC_"):
            cells = line.strip().strip("|").split("|")
            variable, default, meaning = (cell.strip() for cell in cells)
            assert meaning, variable
            rows[variable.strip("`")] = default
    return rows


def test_the_readme_lists_every_declared_setting_with_its_default():
    from brcc_core.common import clock
    from brcc_core.settings import Settings

    table = _readme_settings_table()
    declared = {field.alias: _declared_default(field) for field in Settings.model_fields.values()}
    assert {name: table.get(name) for name in declared} == declared
    # and nothing in the table the app no longer reads (the clock reads BRCC_NOW itself)
    assert set(table) - set(declared) == {clock.NOW_VARIABLE}


def test_a_default_is_written_only_in_the_declaration():
    """load_settings holds no setting of its own: no variable name, no default (a default
    written twice drifts, as the dataclass and load_settings could)."""
    import ast

    from brcc_core import settings as module
    from brcc_core.settings import Settings

    defaults = {
        field.default
        for field in Settings.model_fields.values()
        if isinstance(field.default, int | str) and field.default not in (0, 1, "")
    }
    assert {5, 300, 14, 45, 10, 12, 8, 3306, "wp_", "club"} <= defaults
    default_names = {"DEFAULT_VENUE_CAPACITY", "CLUB_TIMEZONE", "EVENTBRITE_API_URL"}
    tree = ast.parse(Path(module.__file__).read_text())
    (load,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "load_settings"]
    found = [
        ast.unparse(node)
        for node in ast.walk(load)
        if isinstance(node, ast.Constant)
        and type(node.value) in (int, str)
        and (node.value in defaults or str(node.value).startswith("BRCC_"))
        or isinstance(node, ast.Name)
        and node.id in default_names
    ]
    assert found == []
