"""Pictures: each kind draws a PNG and an SVG from SPARQL answers, offline, written atomically."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from PIL import Image

from conflict_kg.cli import main
from conflict_kg.plot import (
    KINDS,
    GraphSource,
    PlotError,
    PlotOptions,
    _contested,
    _control_timeline,
    _country_outlines,
    _Event,
    open_source,
    parse_when,
    plot,
)

ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "tests" / "data" / "queries_graph.ttl"
SAMPLE = ROOT / "examples" / "articles.jsonl"

# What each picture of the small graph must name, as text in its SVG.
EXPECTED_WORDS = {
    "backing": ["Syrian government forces", "Russia", "United States", "New Syrian Army", "Syrian Democratic Forces"],
    "control": ["Who held Albu Kamal", "Hezbollah", "Islamic State", "doc-1", "captured by"],
    "map": ["Albu Kamal", "SYRIA", "IRAQ", "Capture (1)", "Natural Earth"],
    "monthly": ["Operations per month", "Nov", "2017", "Capture (2)", "Oct"],
}
OPTIONS = {"control": PlotOptions(place="Albu Kamal")}


@pytest.fixture(scope="module")
def source() -> GraphSource:
    return open_source(graph=GRAPH)


@pytest.mark.parametrize("kind", KINDS)
def test_png_decodes_at_the_size_drawn(kind: str, source: GraphSource, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.png"
    summary = plot(kind, source, out, options=PlotOptions(place="Albu Kamal", dpi=80))
    assert out.stat().st_size > 5_000
    with Image.open(out) as img:
        img.load()
        assert img.format == "PNG"
        width, height = img.size
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert abs(width - summary.size[0] * 80) <= 1 and abs(height - summary.size[1] * 80) <= 1
    assert colours is not None and len(colours) > 20, "not a blank picture"
    assert summary.lines and not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


@pytest.mark.parametrize("kind", KINDS)
def test_svg_is_xml_and_keeps_the_names_as_text(kind: str, source: GraphSource, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.svg"
    plot(kind, source, out, options=OPTIONS.get(kind))
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t.strip() for t in root.itertext())
    for word in EXPECTED_WORDS[kind]:
        assert word in text, f"{word!r} is not written in the {kind} SVG"


def test_dpi_scales_the_png(source: GraphSource, tmp_path: Path) -> None:
    plot("monthly", source, tmp_path / "a.png", options=PlotOptions(dpi=50))
    plot("monthly", source, tmp_path / "b.png", options=PlotOptions(dpi=100))
    with Image.open(tmp_path / "a.png") as a, Image.open(tmp_path / "b.png") as b:
        assert abs(b.size[0] - 2 * a.size[0]) <= 2 and abs(b.size[1] - 2 * a.size[1]) <= 2


def test_backing_marks_backings_known_only_from_the_reasoner(tmp_path: Path) -> None:
    store = ox.Store()
    store.load(GRAPH.read_bytes(), format=ox.RdfFormat.TURTLE)
    store.update("PREFIX ckg: <https://w3id.org/conflict-kg/ontology#> INSERT DATA { "
                 "<https://w3id.org/conflict-kg/resource/country/russia> ckg:backs "
                 "<https://w3id.org/conflict-kg/resource/group/hezbollah> }")
    out = tmp_path / "backing.svg"
    summary = plot("backing", store, out)
    assert summary.lines == ["6 actors, 4 backing relations"]
    assert "inferred by the reasoner only" in out.read_text("utf-8")


def test_control_needs_a_known_place(source: GraphSource, tmp_path: Path) -> None:
    with pytest.raises(PlotError, match="--place"):
        plot("control", source, tmp_path / "c.png")
    with pytest.raises(PlotError, match=r"no place named 'Atlantis'.*Albu Kamal \(2\)"):
        plot("control", source, tmp_path / "c.png", options=PlotOptions(place="Atlantis"))
    with pytest.raises(PlotError, match="no capture or withdrawal at Deir Ezzor province"):
        plot("control", source, tmp_path / "c.png", options=PlotOptions(place="deir ezzor province"))
    assert not (tmp_path / "c.png").exists()


def test_control_in_a_graph_without_name_keys_says_why_no_place_is_found(tmp_path: Path) -> None:
    old = tmp_path / "old.ttl"
    old.write_text('<https://w3id.org/conflict-kg/resource/place/raqqa> a <https://w3id.org/conflict-kg/ontology#Town> ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "Raqqa"@en .\n', encoding="utf-8")
    with pytest.raises(PlotError, match="no lower-case name keys"):
        plot("control", open_source(graph=old), tmp_path / "c.png", options=PlotOptions(place="Raqqa"))


def test_control_alias_matches_case_insensitively(source: GraphSource, tmp_path: Path) -> None:
    summary = plot("control", source, tmp_path / "c.svg", options=PlotOptions(place="ABU KAMAL"))
    assert summary.lines[0] == "2 events (0 undated), 1 source"
    assert summary.lines[1] == "held at the last report: Hezbollah, Syrian government forces"


def test_bad_requests_leave_the_target_alone(source: GraphSource, tmp_path: Path) -> None:
    out = tmp_path / "keep.png"
    out.write_bytes(b"old")
    with pytest.raises(PlotError, match=r"\.png or \.svg"):
        plot("map", source, tmp_path / "x.pdf")
    with pytest.raises(PlotError, match="unknown kind"):
        plot("pie", source, out)
    with pytest.raises(PlotError, match="--bbox"):
        plot("map", source, out, options=PlotOptions(bbox=(45.0, 30.0, 35.0, 38.0)))
    with pytest.raises(PlotError, match="--dpi"):
        plot("map", source, out, options=PlotOptions(dpi=0))
    assert out.read_bytes() == b"old"


def test_an_empty_graph_has_nothing_to_draw(tmp_path: Path) -> None:
    for kind in ("backing", "map", "monthly"):
        with pytest.raises(PlotError, match="nothing to"):
            plot(kind, ox.Store(), tmp_path / f"{kind}.png")


def test_map_box_can_be_given(source: GraphSource, tmp_path: Path) -> None:
    summary = plot("map", source, tmp_path / "m.png", options=PlotOptions(bbox=(35.0, 32.0, 43.0, 38.0)))
    assert summary.size[0] > 0 and summary.lines[0] == "3 of 6 operations at 1 place"


def test_country_outlines_are_bundled_offline() -> None:
    names = {name for name, _ in _country_outlines()}
    assert {"Syria", "Iraq", "Turkey", "Jordan", "Lebanon"} <= names
    syria = dict(_country_outlines())["Syria"]
    xs = [x for ring in syria for x, _ in ring]
    assert 35 < min(xs) < 36.5 and 42 < max(xs) < 43  # longitude of the coast and the Iraqi border


def test_dates_keep_their_precision() -> None:
    day, month, year = parse_when("2017-11-09"), parse_when("2016-06"), parse_when("2014")
    assert day and day.precision == "day" and day.text == "9 Nov 2017"
    assert month and month.precision == "month" and (month.lo, month.hi) == (dt.date(2016, 6, 1), dt.date(2016, 6, 30))
    assert year and year.precision == "year" and year.text == "2014"
    assert parse_when("soon") is None and parse_when(None) is None and parse_when("2017-13") is None


def _ev(name: str, kind: str, date: str, agents: list[str], opponents: list[str] = ()) -> _Event:  # type: ignore[assignment]
    return _Event(name, kind, parse_when(date), "stated", 0, list(agents), list(opponents))


def test_control_timeline_orders_by_latest_day_and_infers_holders() -> None:
    events = [
        _ev("w", "Withdrawal", "2016-06", ["NSA"]),          # "in June": after the capture of 29 June
        _ev("c1", "Capture", "2016-06-29", ["NSA"], ["IS"]),
        _ev("c2", "Capture", "2017-11-09", ["IS"]),
        _ev("c3", "Capture", "2017-11-09", ["SAA"], ["IS"]),  # same day, other side: contested
    ]
    groups, segments = _control_timeline(events)
    assert [[e.iri for e in g] for g in groups] == [["c1"], ["w"], ["c2", "c3"]]
    styles = {(a, style) for a, _, _, style in segments}
    assert ("IS", "implied") in styles, "IS held the town before NSA took it from IS"
    assert ("NSA", "held") in styles and ("IS", "open") in styles and ("SAA", "open") in styles
    [(_, _, holding)] = _contested(segments)
    assert holding == ["IS", "SAA"]


def test_cli_draws_from_a_graph_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "control.png"
    code = main(["plot", "control", "--graph", str(GRAPH), "--place", "Albu Kamal", "--out", str(out)])
    assert code == 0 and out.stat().st_size > 0
    assert f"control: {out}" in capsys.readouterr().out
    assert main(["plot", "control", "--graph", str(GRAPH), "--out", str(out)]) == 2
    assert "--place" in capsys.readouterr().err
    assert main(["plot", "map", "--graph", str(tmp_path / "none.ttl"), "--out", str(out)]) == 2
    assert "no such graph file" in capsys.readouterr().err


def test_drawing_needs_no_display_nor_pyplot(tmp_path: Path) -> None:
    """The Agg canvas is used directly: pyplot (global backend state) is never imported, and
    neither a display nor the backend named in the environment matters."""
    script = (
        "import sys; from pathlib import Path; from conflict_kg.plot import open_source, plot\n"
        f"plot('map', open_source(graph=Path({str(GRAPH)!r})), Path({str(tmp_path / 'm.png')!r}))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "MPLBACKEND": "qtagg", "DISPLAY": ""}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "m.png").stat().st_size > 0


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five sample articles built once (needs the spaCy model)."""
    out = tmp_path_factory.mktemp("sample") / "graph.ttl"
    assert main(["build", str(SAMPLE), "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_sample_articles_give_each_picture(kind: str, sample_graph: Path, tmp_path: Path) -> None:
    source = open_source(graph=sample_graph)
    for suffix in (".png", ".svg"):
        out = tmp_path / f"{kind}{suffix}"
        plot(kind, source, out, options=PlotOptions(place="Albu Kamal"))
        assert out.stat().st_size > 5_000
    text = (tmp_path / f"{kind}.svg").read_text("utf-8")
    word = {"backing": "Iran", "control": "Albu Kamal", "map": "Albu Kamal", "monthly": "Jun"}[kind]
    assert word in text


def test_an_event_with_both_date_bases_is_drawn_once_as_stated(tmp_path: Path) -> None:
    """Each report keeps its own date basis, so one event may have "stated" and "publication":
    it is one event in the pictures, dated as stated (not in its article's month)."""
    from conflict_kg.plot import _MONTHLY, _date_basis, _select

    graph = tmp_path / "g.ttl"
    graph.write_text("""
        @prefix ckg: <https://w3id.org/conflict-kg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/op/1> a ckg:Capture ; ckg:date "2017-11-09"^^xsd:date ;
            ckg:dateBasis "publication", "stated" .
        <https://example.org/op/2> a ckg:Airstrike ; ckg:date "2017-11"^^xsd:gYearMonth ; ckg:dateBasis "publication" .
        <https://example.org/op/3> a ckg:Raid .
    """, encoding="utf-8")
    rows = _select(open_source(graph=graph), _MONTHLY)
    bases = {r["op"].value.rsplit("/", 1)[-1]: _date_basis(r["bases"]) for r in rows}
    assert bases == {"1": "stated", "2": "publication", "3": None}
