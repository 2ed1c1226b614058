"""Documents: pages per second and CPU per page of crawler.documents against what a user would run instead, on
the real documents of ../shared/real-documents (copied to tests/fixtures/documents), side by side in one run.

    bench/documents.py [--rounds 3] [--ocr-pages 2]

- Text-layer PDFs (3125/KH-STC, 3 pages; 99/BC-STC, 15 pages): ``read_document`` (PDFium text, stamp and
  diacritics checks, header parsing) against pypdf alone (``page.extract_text()``) and poppler's ``pdftotext``
  command. Best of ``--rounds``; CPU is the process's (and its children's) user+system time.
- OCR pages (the first ``--ocr-pages`` pages of each of the three scans): ``read_document`` (PDFium rendering
  at 200 dpi, Tesseract on one core with OMP_THREAD_LIMIT=1) against the ``tesseract`` CLI as installed (OpenMP
  on every core) on the very same rendered images, and against ``pdftoppm -r 200`` + the ``tesseract`` CLI, what
  a user would type. One round: OCR is slow and the machine is shared.

It runs in ``.venv-bench`` like bench/extraction_quality.py (pypdf is a peer, never a dependency of the crawler).
``pdftotext``/``pdftoppm`` come from Debian's poppler-utils (``apt-get install poppler-utils``); a missing one is
reported, not fatal.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction_quality import ensure_environment  # noqa: E402  (re-runs this script inside .venv-bench)

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "documents"  # the real documents of ../shared/real-documents, copied
TEXT_LAYER = ["stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf", "stc.daknong-99-BC-CCHC-6-thang-2019.pdf"]
SCANS = ["stc.daknong-120-QD-noi-quy-tiep-cong-dan.pdf", "thanhtra.daknong-BC-248-2019.pdf",
         "stc.daknong-NQ-13-CP.pdf"]


def cpu() -> float:
    """User+system seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(func, rounds: int) -> tuple[float, float, object]:
    """(best wall seconds, CPU seconds of that round, result)."""
    best = (float("inf"), 0.0, None)
    for _ in range(rounds):
        wall, used = time.perf_counter(), cpu()
        result = func()
        wall, used = time.perf_counter() - wall, cpu() - used
        if wall < best[0]:
            best = (wall, used, result)
    return best


def ours_text(data: bytes):
    from crawler.documents import read_document

    doc = read_document(data)
    return len(doc.text), doc.doc_number


def pypdf_text(data: bytes):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return sum(len(page.extract_text() or "") for page in reader.pages), None


def pdftotext(path: Path):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return len(out.decode("utf-8", "replace")), None


def ours_ocr(data: bytes, pages: int):
    from crawler.documents import Limits, read_document

    doc = read_document(data, limits=Limits(ocr_max_pages=pages))
    return sum(len(doc.page_texts()[i - 1]) for i in doc.ocr_pages), len(doc.ocr_pages), doc.issuer


def cli_ocr(path: Path, pages: int):
    chars = 0
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", str(pages), str(path),
                        f"{folder}/page"], check=True)
        for image in sorted(Path(folder).glob("page*.pgm")):
            out = subprocess.run(["tesseract", str(image), "stdout", "-l", "vie"], capture_output=True, check=True)
            chars += len(out.stdout.decode("utf-8", "replace"))
    return chars, pages, None


def cli_same_image(data: bytes, pages: int):
    """The tesseract CLI as installed (OpenMP threads on every core) on the very images this project OCRs."""
    import pypdfium2

    from crawler.documents.pdf import render_pgm

    document = pypdfium2.PdfDocument(data)
    chars = 0
    with tempfile.TemporaryDirectory() as folder:
        for index in range(pages):
            image = Path(folder) / f"page{index}.pgm"
            image.write_bytes(render_pgm(document[index], 200))
            out = subprocess.run(["tesseract", str(image), "stdout", "-l", "vie"], capture_output=True, check=True)
            chars += len(out.stdout.decode("utf-8", "replace"))
    return chars, pages, None


def row(name: str, pages: int, wall: float, used: float, chars) -> str:
    return f"  {name:<34} {pages / wall:9.1f} {used / pages * 1000:10.1f} {chars:>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ocr-pages", type=int, default=2, help="pages of each scan to OCR (default 2)")
    args = parser.parse_args()
    from importlib.metadata import version

    header = (f"  {'':<34} {'pages/s':>9} {'CPU ms/pg':>10} {'chars':>9}   this project: x faster, x less CPU")
    print(f"Documents bench: {len(TEXT_LAYER)} text-layer PDFs, {len(SCANS)} scans; pypdfium2 "
          f"{version('pypdfium2')}, tesseract {_tesseract_version()}, best of {args.rounds} rounds for text\n")
    print("Text-layer PDFs")
    for name in TEXT_LAYER:
        path = REAL / name
        data = path.read_bytes()
        import pypdf

        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        print(f" {name} ({pages} pages)\n{header}")
        wall, used, (chars, number) = measure(lambda: ours_text(data), args.rounds)
        base = (pages / wall, used / pages * 1000)
        print(row(f"this project (number {number})", pages, wall, used, chars))
        wall2, used2, (chars2, _) = measure(lambda: pypdf_text(data), args.rounds)
        print(_peer_row(f"pypdf {pypdf.__version__} extract_text", pages, wall2, used2, chars2, base))
        if shutil.which("pdftotext"):
            wall3, used3, (chars3, _) = measure(lambda: pdftotext(path), args.rounds)
            print(_peer_row("pdftotext (poppler)", pages, wall3, used3, chars3, base))
        else:
            print("  pdftotext: not installed (apt-get install poppler-utils)")
    print(f"\nOCR pages (first {args.ocr_pages} of each scan; one round)")
    for name in SCANS:
        path = REAL / name
        data = path.read_bytes()
        print(f" {name}\n{header}")
        wall, used, (chars, pages, issuer) = measure(lambda: ours_ocr(data, args.ocr_pages), 1)
        base = (pages / wall, used / pages * 1000)
        print(row("this project (1 core)", pages, wall, used, chars))
        if shutil.which("tesseract"):
            wall2, used2, (chars2, pages2, _) = measure(lambda: cli_same_image(data, args.ocr_pages), 1)
            print(_peer_row("tesseract CLI, same images", pages2, wall2, used2, chars2, base))
        if shutil.which("pdftoppm") and shutil.which("tesseract"):
            wall2, used2, (chars2, pages2, _) = measure(lambda: cli_ocr(path, args.ocr_pages), 1)
            print(_peer_row(f"pdftoppm + tesseract CLI ({os.cpu_count()} cores)", pages2, wall2, used2, chars2,
                            base))
        else:
            print("  pdftoppm + tesseract: not installed (apt-get install poppler-utils tesseract-ocr-vie)")


def _tesseract_version() -> str:
    if not shutil.which("tesseract"):
        return "not installed"
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("\n")[0].replace("tesseract ", "")


def _peer_row(name, pages, wall, used, chars, base) -> str:
    """A peer's row; the ratios say how many times faster (pages/s) and cheaper (CPU/page) this project is."""
    speed, cost = pages / wall, used / pages * 1000
    return (f"  {name:<34} {speed:9.1f} {cost:10.1f} {chars:>9}   "
            f"{base[0] / speed:5.2f}x {cost / (base[1] or 1e-9):6.2f}x")


if __name__ == "__main__":
    ensure_environment()
    main()
