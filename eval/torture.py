"""Crash torture: SIGKILL `rag add` and `rag index` at random moments, then check nothing was lost.

Each round starts a real `rag` process on a scratch corpus, kills it at a random moment of its
run (from start-up to the switch of generations), and checks:
- the index still loads (checksums, manifest) — else "unloadable";
- every indexed chunk's text equals its slice of the article it came from, and manifest, docs and
  chunks agree — else "inconsistent";
then runs the same command again, uninterrupted, and checks:
- every article indexed before is still indexed — else "lost";
- the new article is indexed ("added but not indexed" otherwise) and answers a question about its
  invented figure ("not answerable" otherwise);
- no temporary generation folders or files are left ("leftover temp").

    python -m eval.torture --rounds 20          # `make torture`
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from index.corpus_store import CorpusStore
from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.manifest import CorruptIndexError
from index.store import IndexStore, NoIndexError
from rag.assistant import Assistant
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLES = ("001_6b63a1e1db25d1e7", "004_830bf3688af14f07")
RAG = [sys.executable, "-c", "from rag.cli import main; main()"]
DEFECTS = ("unloadable", "inconsistent", "lost", "added but not indexed", "not answerable", "leftover temp",
           "re-run failed")


class RunFailed(RuntimeError):
    """An uninterrupted `rag` run failed."""


@dataclass
class TortureReport:
    rounds: int = 0
    killed: int = 0  # rounds whose process was still running when the signal came
    counts: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    def defect(self, kind: str, detail: str) -> None:
        self.counts[kind] += 1
        self.details.append(f"{kind}: {detail}")

    @property
    def ok(self) -> bool:
        return not any(self.counts[k] for k in DEFECTS)

    def summary(self) -> str:
        lines = [f"rounds: {self.rounds}, killed mid-run: {self.killed}"]
        lines += [f"{kind}: {self.counts[kind]}" for kind in DEFECTS]
        return "\n".join(lines)


def invented_article(i: int, rng: random.Random) -> tuple[str, str, str]:
    """(file text, question, expected figure) about an invented compound, unique per round."""
    name = f"Torture Point {i}-{rng.randrange(10_000)}"
    figure = f"{rng.randrange(1_100, 9_900):,}"
    text = (
        f"Rescue at the invented {name} compound\n\n"
        f"This article is a test fixture; the place and the figures are invented.\n\n"
        f"Police said on Monday that {figure} workers had been held at the {name} compound and forced to "
        f"run online scams. Officers said most of them had answered fake job advertisements.\n\n"
        + "Families had reported relatives missing for months before the raid. " * rng.randrange(1, 40)
        + "\n"
    )
    return text, f"How many workers had been held at the {name} compound?", figure


def consistency_problems(settings: Settings, index_docs: dict[str, str]) -> list[str]:
    """Ways the live index disagrees with itself or with the corpus (empty: consistent)."""
    store = IndexStore(settings.paths.data_dir)
    gen = store.current_generation()
    assert gen is not None
    manifest = store.read_manifest()
    problems = []
    docs = [json.loads(line)["doc_id"] for line in (gen / "docs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    chunks = [json.loads(line) for line in (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if set(docs) != set(manifest.documents):
        problems.append(f"docs.jsonl {sorted(docs)} != manifest {sorted(manifest.documents)}")
    if manifest.n_chunks != len(chunks):
        problems.append(f"manifest says {manifest.n_chunks} chunks, chunks.jsonl has {len(chunks)}")
    for doc_id, entry in manifest.documents.items():
        if sum(c["doc_id"] == doc_id for c in chunks) != entry.n_chunks:
            problems.append(f"{doc_id}: chunk count differs from the manifest")
    for chunk in chunks:
        text = index_docs.get(chunk["doc_id"])
        if text is None:
            problems.append(f"chunk {chunk['chunk_id']} belongs to {chunk['doc_id']}, which is not in the corpus")
        elif text[chunk["start"] : chunk["end"]] != chunk["text"]:
            problems.append(f"chunk {chunk['chunk_id']} text differs from its source slice")
    return problems


def temp_leftovers(settings: Settings) -> list[Path]:
    data, corpus = settings.paths.data_dir, settings.paths.corpus_dir
    return [*data.glob(".gen-*.tmp"), *data.glob("CURRENT.tmp"), *corpus.glob("*.tmp")]


def _run(args: list[str], kill_after: float | None, log: Path) -> bool:
    """Run `rag ARGS`; with kill_after, SIGKILL it then. True if it was killed while running.
    Without kill_after, a failing run raises RunFailed with the end of its output."""
    with log.open("ab") as out:
        start = out.tell()
        proc = subprocess.Popen([*RAG, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        if kill_after is None:
            if proc.wait(timeout=600) != 0:
                out.flush()
                tail = log.read_bytes()[start:][-1500:].decode("utf-8", "replace")
                raise RunFailed(f"rag {args[0]} exited with {proc.returncode}: {tail}")
            return False
        try:
            proc.wait(timeout=kill_after)
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True


def run_torture(rounds: int, seed: int, work: Path, verbose: bool = True) -> TortureReport:
    rng = random.Random(seed)
    settings = Settings()
    settings.paths.corpus_dir, settings.paths.data_dir = work / "corpus", work / "data"
    settings.paths.corpus_dir.mkdir(parents=True)
    for stem in SEED_ARTICLES:
        for suffix in (".txt", ".meta.json"):
            shutil.copy(ROOT / "corpus" / f"{stem}{suffix}", settings.paths.corpus_dir)
    embedder = Assistant.load(settings, build_if_missing=True).embedder
    dirs = ["--corpus-dir", str(settings.paths.corpus_dir), "--data-dir", str(settings.paths.data_dir)]
    log = work / "rag.log"
    # How long an uninterrupted run takes, so the kills fall anywhere in one. The assistant answers the
    # round's question from a fresh load each time, as a new `rag ask` would.
    probe, _, _ = invented_article(0, rng)
    (work / "probe.txt").write_text(probe, encoding="utf-8")
    t0 = time.monotonic()
    _run(["add", str(work / "probe.txt"), *dirs], None, log)
    full_run_s = time.monotonic() - t0
    report = TortureReport()
    for i in range(1, rounds + 1):
        before = set(IndexStore(settings.paths.data_dir).read_manifest().documents)
        text, question, figure = invented_article(i, rng)
        command = "add" if i % 2 else "index"
        source = work / f"round{i:03d}.txt"
        source.write_text(text, encoding="utf-8")
        if command == "add":
            args = ["add", str(source), *dirs]
        else:  # a user drops a file into the corpus folder, then indexes
            CorpusStore(settings.paths.corpus_dir).add(source)
            args = ["index", *dirs]
        kill_after = rng.uniform(0.0, full_run_s * 1.1)
        killed = _run(args, kill_after, log)
        report.rounds += 1
        report.killed += killed
        _check_after_kill(settings, embedder, report, i)
        try:
            _run(args, None, log)  # the same command again, uninterrupted
        except RunFailed as err:
            report.defect("re-run failed", f"round {i}: {err}")
            continue
        new_id = next(d.doc_id for d in CorpusStore(settings.paths.corpus_dir).documents() if d.text == text)
        _check_after_rerun(settings, embedder, report, i, before, new_id, question, figure)
        if verbose:
            state = "killed" if killed else "finished first"
            print(f"round {i:3d}: {command:5s} {state} at {kill_after:5.1f}s of ~{full_run_s:.1f}s; "
                  f"defects so far: {sum(report.counts[k] for k in DEFECTS)}", flush=True)
    return report


def _corpus_texts(settings: Settings) -> dict[str, str]:
    return {d.doc_id: d.text for d in CorpusStore(settings.paths.corpus_dir).documents()}


def _check_after_kill(settings: Settings, embedder: Embedder, report: TortureReport, i: int) -> None:
    try:
        load_live_index(settings, embedder)
    except (CorruptIndexError, NoIndexError, OSError, ValueError) as err:
        report.defect("unloadable", f"round {i}: {err}")
        return
    for problem in consistency_problems(settings, _corpus_texts(settings)):
        report.defect("inconsistent", f"round {i} after the kill: {problem}")


def _check_after_rerun(
    settings: Settings, embedder: Embedder, report: TortureReport, i: int, before: set[str], new_id: str,
    question: str, figure: str,
) -> None:
    try:
        index = load_live_index(settings, embedder)
    except (CorruptIndexError, NoIndexError, OSError, ValueError) as err:
        report.defect("unloadable", f"round {i} after the re-run: {err}")
        return
    held = set(index.manifest.documents)
    for doc_id in sorted(before - held):
        report.defect("lost", f"round {i}: {doc_id} was indexed before and is not now")
    for problem in consistency_problems(settings, _corpus_texts(settings)):
        report.defect("inconsistent", f"round {i} after the re-run: {problem}")
    if new_id not in held:
        report.defect("added but not indexed", f"round {i}: {new_id}")
        return
    answer = Assistant.load(settings).ask(question)  # a fresh process's view, as `rag ask` would have
    if figure not in answer.text or not any(c.doc_id == new_id for c in answer.citations):
        report.defect("not answerable", f"round {i}: {question!r} -> {answer.text!r}")
    leftovers = temp_leftovers(settings)
    if leftovers:
        report.defect("leftover temp", f"round {i}: {[p.name for p in leftovers]}")


def load_live_index(settings: Settings, embedder: Embedder) -> HybridIndex:
    """Load the live index the way `rag ask` does (checksums verified); raises if it cannot."""
    return IndexStore(settings.paths.data_dir).load(embedder.model_id, embedder.dimension, settings.chunker)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (printed)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rag-torture-"))
    print(f"torture: {args.rounds} rounds, seed {args.seed}, scratch {work}", flush=True)
    try:
        report = run_torture(args.rounds, args.seed, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report.summary())
    for detail in report.details:
        print("  " + detail)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
