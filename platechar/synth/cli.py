"""``platechar synth``: make training and test data from nothing.

    platechar synth crops  OUT_DIR --count N [--seed S] [--style us,eu] [--size 128x32]
                           [--format png|jpg] [--png-compression 0-9] [--quality Q]
    platechar synth chars  OUT_DIR --count N [--seed S] [--char-size 32]
    platechar synth scenes OUT_DIR --count N [--seed S]
    platechar synth --preview sheet.png [--real DIR]
    platechar synth --list-styles | --list-fonts
"""

from __future__ import annotations

import sys
import time

from platechar.commands._common import int_at_least, non_negative_int, positive_int
from platechar.errors import PlatecharError

KINDS = ("crops", "chars", "scenes")


def register(subparsers) -> None:
    """Add the ``synth`` verb to the ``platechar`` command."""
    from platechar.synth.augment import PRESETS
    from platechar.synth.styles import style_names

    p = subparsers.add_parser(
        "synth",
        help="make synthetic plates, characters and scenes with exact labels",
        description="Make synthetic training and test data: plate crops (labels.csv, "
        "labels.jsonl), single characters in one folder per class, or scenes "
        "(OpenALPR-style .txt boxes). Same --seed, same files.",
    )
    p.add_argument("kind", nargs="?", choices=KINDS, help="what to make")
    p.add_argument("out_dir", nargs="?", metavar="OUT_DIR", help="folder to write into")
    p.add_argument("--count", "-n", type=positive_int, default=100, help="how many (default 100)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument("--style", default=None,
                   help=f"comma-separated plate styles (default: a mix); one of "
                   f"{', '.join(style_names())}")
    p.add_argument("--augment", default="default", choices=list(PRESETS),
                   help="how much realism to apply (default: default)")
    p.add_argument("--size", default=None, metavar="WxH",
                   help="crops: fixed output size, e.g. 128x32 (default: the plate's shape); "
                   "scenes: the picture size (default: 640-1280 wide)")
    p.add_argument("--fit", default="stretch", choices=["stretch", "pad"],
                   help="crops with --size: stretch the crop or pad it to the size's shape")
    p.add_argument("--format", default=None, choices=["png", "jpg"],
                   help="image format (default: png for crops, jpg for scenes)")
    p.add_argument("--quality", type=positive_int, default=95,
                   help="JPEG quality 1-100 for jpg files and a .jpg preview (default 95)")
    p.add_argument("--png-compression", type=int, choices=range(10), default=1, metavar="0-9",
                   help="zlib level of PNG files (default 1, the fastest that compresses); "
                   "9 makes the smallest files, 0 stores the pixels as they are (encoded 9x "
                   "faster, 1.7x the disk)")
    p.add_argument("--char-size", type=positive_int, default=32,
                   help="chars: side of the square character images (default 32)")
    p.add_argument("--fonts", default="all", choices=["all", "bundled", "hershey"],
                   help="font source: all found, bundled only (same everywhere), hershey")
    p.add_argument("--workers", type=int_at_least(0, " (0 = one per CPU core)"), default=0,
                   help="processes (default 0: one per CPU core)")
    p.add_argument("--preview", metavar="SHEET.png", default=None,
                   help="write a contact sheet of every style and a few scenes")
    p.add_argument("--per-row", type=positive_int, default=6,
                   help="with --preview: crops per style row (default 6)")
    p.add_argument("--real", metavar="DIR", default=None,
                   help="with --preview: add rows of real crops read from DIR to compare")
    p.add_argument("--list-styles", action="store_true", help="list the plate styles")
    p.add_argument("--list-fonts", action="store_true", help="list the fonts found")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=run, _parser=p)


def run(args) -> int:
    parser = args._parser
    if args.list_styles:
        from platechar.synth.styles import get_style, style_names

        for name in style_names():
            st = get_style(name)
            print(f"{name:12s} aspect {st.aspect[0]:.1f}-{st.aspect[1]:.1f}  formats: "
                  + ", ".join(st.formats))
        return 0
    if args.list_fonts:
        from platechar.synth.fonts import describe_fonts

        print(describe_fonts(args.fonts))
        return 0
    if args.preview:
        from platechar.synth.preview import write_contact_sheet

        if args.kind or args.out_dir:
            parser.error("--preview makes a sheet only; leave out KIND and OUT_DIR")
        path = write_contact_sheet(args.preview, seed=args.seed, styles=args.style,
                                   augment=args.augment, real_dir=args.real, fonts=args.fonts,
                                   per_row=args.per_row, scenes=min(3, args.per_row),
                                   quality=args.quality)
        print(f"wrote {path}")
        return 0
    if not args.kind or not args.out_dir:
        parser.error("give KIND (crops, chars or scenes) and OUT_DIR, or --preview SHEET.png")
    if args.real:
        parser.error("--real only goes with --preview")
    return _make(args)


def _make(args) -> int:
    from platechar.synth.dataset import make_spec, resolve_workers
    from platechar.synth.writers import write_chars, write_crops, write_scenes

    size = args.size
    if args.kind == "chars" and size is not None:
        raise PlatecharError("chars: use --char-size, not --size")
    spec = make_spec(args.kind, args.seed, args.style, args.augment, size, args.fit, args.fonts,
                     args.char_size)
    workers = resolve_workers(args.workers)
    done = [0]
    t0 = time.perf_counter()
    show = not args.quiet and sys.stderr.isatty()

    def progress(n: int) -> None:
        done[0] += n
        if show and (done[0] % 200 == 0 or done[0] == args.count):
            print(f"\r{args.kind}: {done[0]}/{args.count}", end="", file=sys.stderr, flush=True)

    if args.kind == "crops":
        out = write_crops(spec, args.out_dir, args.count, workers, args.format or "png", progress,
                          args.quality, args.png_compression)
    elif args.kind == "scenes":
        out = write_scenes(spec, args.out_dir, args.count, workers, args.format or "jpg",
                           progress, args.quality, args.png_compression)
    else:
        if args.format not in (None, "png"):
            raise PlatecharError("chars are always written as PNG")
        out = write_chars(spec, args.out_dir, args.count, workers, progress,
                          args.png_compression)
    dt = time.perf_counter() - t0
    if show:
        print(file=sys.stderr)
    if not args.quiet:
        print(f"wrote {args.count} {args.kind} to {out} in {dt:.1f} s "
              f"({args.count / max(dt, 1e-9):.0f}/s, {workers} worker(s))")
    return 0
