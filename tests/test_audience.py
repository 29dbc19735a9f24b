"""Selection: which messages fit which audience."""
import json

from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.base.model import Condition
from mobcontent.content.audience import (
    condition_holds,
    exclusion,
    filter_messages,
    leaflet_messages,
)
from mobcontent.content.load import load_project


def test_left_out_dimension_matches_every_audience(make_project):
    project = load_project(make_project())
    scam = project.messages["lua-dao"]
    for audience in ({"ethnic": "ede"}, {"ethnic": "mnong", "zone": "ea-kiet"}, {}):
        assert exclusion(scam, audience, project.audiences) is None


def test_or_within_and_across_dimensions_with_zone_groups(make_project):
    project = load_project(make_project())
    marker = project.messages["cot-moc"]  # ethnic: [ede, mnong], zone: [border] (= krong-na)
    assert exclusion(marker, {"ethnic": "mnong", "zone": "krong-na"}, project.audiences) is None
    assert exclusion(marker, {"ethnic": "ede", "zone": "ea-kiet"}, project.audiences) == \
        "zone: the message is for border, not ea-kiet"
    assert exclusion(marker, {"zone": "krong-na"}, project.audiences) == \
        "ethnic: the message is only for ede, mnong, but the leaflet is for every ethnic"


def test_conditions_only_and_except(make_project):
    project = load_project(make_project())
    only = Condition(False, (("religion", ("protestant",)), ("zone", ("border",))), 1)
    assert condition_holds(only, {"religion": "protestant", "zone": "krong-na"}, project.audiences)
    assert not condition_holds(only, {"religion": "protestant", "zone": "ea-kiet"}, project.audiences)
    assert not condition_holds(only, {"zone": "krong-na"}, project.audiences)  # mixed religion
    negated = Condition(True, only.criteria, 1)
    assert condition_holds(negated, {"religion": "none", "zone": "krong-na"}, project.audiences)


def test_select_takes_approved_fitting_messages_by_topic(make_project):
    root = make_project({
        "content/leaflets/bien-gioi.yaml": "title: T\naudience: {ethnic: ede, zone: krong-na}\nlocales: [vi]\n"
                                           "select: {topics: [border, scam]}\n",
        "content/messages/nhap.md": "---\ntitle: Nháp\ntopics: [scam]\nstatus: draft\n---\nNội dung.\n",
        "content/messages/khac.md": "---\ntitle: Khác\naudience: {ethnic: [mnong]}\ntopics: [scam]\n"
                                    "status: approved\n---\nNội dung.\n",
    })
    project = load_project(root)
    assert [m.slug for m in leaflet_messages(project, project.leaflets["bien-gioi"])] == ["cot-moc", "lua-dao"]


def test_filter_messages_for_list(make_project):
    project = load_project(make_project())
    assert [m.slug for m in filter_messages(project, zone="ea-kiet")] == ["lua-dao"]
    assert [m.slug for m in filter_messages(project, ethnic="ede", zone="krong-na")] == ["cot-moc", "lua-dao"]
    assert [m.slug for m in filter_messages(project, topic="border")] == ["cot-moc"]
    assert [m.slug for m in filter_messages(project, zone="border", topic="border")] == ["cot-moc"]
    assert [m.slug for m in filter_messages(project, status="draft")] == []


def test_list_command_table_and_json(make_project):
    root = make_project()
    result = CliRunner().invoke(main, ["-C", str(root), "list", "--zone", "ea-kiet", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"messages": [{
        "slug": "lua-dao", "path": "content/messages/lua-dao.md", "title": "Cảnh giác lừa đảo",
        "audience": {}, "topics": ["scam"], "status": "approved"}]}
    table = CliRunner().invoke(main, ["-C", str(root), "list", "--ethnic", "ede"]).stdout.splitlines()
    assert table[0].split() == ["SLUG", "STATUS", "TOPICS", "AUDIENCE", "TITLE"]
    assert table[1].startswith("cot-moc ") and table[1].endswith("Bảo vệ cột mốc")
    assert table[-1] == "2 message(s)"
    bad = CliRunner().invoke(main, ["-C", str(root), "list", "--zone", "krongna"])
    assert bad.exit_code == 2 and "unknown zone 'krongna'" in bad.stderr
