"""What the Python baselines share: the pin fields and sentinels of SPEC.md section 2, restated
as a user of each engine would (the baselines deliberately do not ask pinetl), and the command
line of a `clean` baseline.

    <baseline>.py clean --table pin IN OUT
"""
import argparse
import sys

PIN_FIELDS = ["index", "unique_id", "title", "description", "poster_name", "follower_count",
              "tag_list", "is_image_or_video", "image_src", "save_location", "category"]
SENTINELS = {
    "title": ["No Title Data Available"],
    "description": ["No description available Story format", "No description available"],
    "poster_name": ["User Info Error"],
    "follower_count": ["User Info Error"],
    "tag_list": ["N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"],
    "image_src": ["Image src error."],
}


def clean_main(engine, clean_pin):
    """Parses `clean --table pin IN OUT`, runs clean_pin(IN, OUT) and says so on stderr."""
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("clean")
    c.add_argument("--table", choices=["pin"], required=True)
    c.add_argument("input")
    c.add_argument("output")
    args = ap.parse_args()
    n = clean_pin(args.input, args.output)
    done = f"cleaned {n}" if n is not None else "done"
    print(f"{engine} clean {args.table}: {done}", file=sys.stderr)
