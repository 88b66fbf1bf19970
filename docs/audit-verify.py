#!/usr/bin/env python3
"""Check a Swarmgate audit export without Swarmgate: Python 3 standard library, plus openssl for
the signatures.

    python3 audit-verify.py EXPORT [--ca ca.crt]

Recomputes every entry's hash from the previous one (SHA-256 over the previous hash's 32 bytes
and the entry's canonical JSON), checks that sequence numbers run without gaps from the export
record's firstSeq to its lastSeq, and that the last hash is the one the checkpoint record signs.
With --ca it also runs `openssl cms -verify` on EXPORT.p7s (the whole file) and on the
checkpoint's own signature. Prints the first entry that cannot be trusted; exits 0 when all is
well, 1 when something does not check out, 2 when it cannot run. docs/auditor-guide.md explains
the format and what a failure means.
"""
import argparse
import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile

FIELDS = ("record", "seq", "time", "actor", "source", "action", "target", "outcome", "details", "hash")


def canonical(value):
    """The exact text Swarmgate hashes: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def records(path):
    """The export's records as dicts with the JSON-lines field names, whichever the format."""
    with open(path, "r", encoding="utf-8", newline="") as f:
        first = f.read(1)
        f.seek(0)
        if first == "{":
            for number, line in enumerate(f, 1):
                try:
                    yield number, json.loads(line)
                except ValueError:
                    yield number, {"record": "unreadable"}
            return
        rows = csv.reader(f)
        header = next(rows, None)
        if header != list(FIELDS):
            raise SystemExit("%s: not an audit export (the first line is not the expected CSV header)" % path)
        for number, row in enumerate(rows, 2):
            if len(row) != len(FIELDS):
                yield number, {"record": "unreadable"}
                continue
            r = {k: (v if v != "" else None) for k, v in zip(FIELDS, row)}
            try:
                details = json.loads(r["details"]) if r["details"] is not None else None
                seq = int(r["seq"])
            except ValueError:
                yield number, {"record": "unreadable"}
                continue
            if r["record"] == "export":
                head = dict(details)
                head["record"] = "export"
                head["prevHash"] = r["hash"]
                yield number, head
            elif r["record"] == "checkpoint":
                yield number, {"record": "checkpoint", "seq": seq, "hash": r["hash"], "time": r["time"],
                               "signature": (details or {}).get("signature")}
            else:
                r["seq"] = seq
                r["details"] = details
                yield number, r


def openssl_verify(signature_der, content_path, ca):
    with tempfile.NamedTemporaryFile(suffix=".p7s", delete=False) as sig:
        sig.write(signature_der)
    try:
        done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig.name,
                               "-content", content_path, "-CAfile", ca, "-purpose", "any", "-out", os.devnull],
                              capture_output=True, text=True)
        return done.returncode == 0, (done.stderr or done.stdout).strip()
    finally:
        os.unlink(sig.name)


def main():
    parser = argparse.ArgumentParser(description="Check a Swarmgate audit export.")
    parser.add_argument("export", help="the export file (JSON lines or CSV)")
    parser.add_argument("--ca", help="the appliance CA certificate (PEM) to check the signatures against")
    args = parser.parse_args()
    if args.ca and not os.path.exists(args.ca):
        print("no CA certificate %s" % args.ca, file=sys.stderr)
        return 2

    problems = []
    if args.ca:
        p7s = args.export + ".p7s"
        if not os.path.exists(p7s):
            problems.append((None, "%s is missing: the file's signature cannot be checked" % p7s))
        else:
            with open(p7s, "rb") as f:
                ok, why = openssl_verify(f.read(), args.export, args.ca)
            if not ok:
                problems.append((None, "%s does not verify the file: %s" % (p7s, why.splitlines()[-1] if why else "")))

    header = seal = None
    expected = previous = None
    last_seq = None
    count = 0
    broken = None
    for line, r in records(args.export):
        kind = r.get("record")
        if header is None:
            if kind != "export":
                print("FAILED: line %d: the file does not start with an export record" % line)
                return 1
            header = r
            expected = header["firstSeq"]
            previous = header["prevHash"]
            last_seq = expected - 1
            continue
        if broken:
            continue
        if seal is not None:
            broken = (header["lastSeq"] + 1, "line %d follows the checkpoint record, which must be last" % line)
        elif kind == "checkpoint":
            seal = r
        elif kind != "entry":
            broken = (expected, "line %d is not an entry record" % line)
        elif r["seq"] != expected:
            if r["seq"] > expected:
                broken = (expected, "entry %d is missing (deleted)" % expected)
            else:
                broken = (r["seq"], "entry %d appears after entry %d (inserted or reordered)" % (r["seq"], expected - 1))
        else:
            entry = {k: r.get(k) for k in ("action", "actor", "details", "outcome", "seq", "source", "target", "time")}
            computed = hashlib.sha256(bytes.fromhex(previous) + canonical(entry).encode("ascii")).hexdigest()
            if computed != r.get("hash"):
                broken = (r["seq"], "entry %d does not match its hash: it was edited, or inserted or moved here"
                          % r["seq"])
            else:
                previous = r["hash"]
                last_seq = r["seq"]
                expected += 1
                count += 1
    if header is None:
        print("FAILED: the file is empty")
        return 1
    if broken:
        problems.append(broken)
    elif last_seq < header["lastSeq"]:
        problems.append((last_seq + 1, "entries %d to %d are missing (the file was cut off?)"
                         % (last_seq + 1, header["lastSeq"])))
    elif last_seq > header["lastSeq"]:
        problems.append((header["lastSeq"] + 1, "entries after %d were added" % header["lastSeq"]))
    elif seal is None:
        problems.append((last_seq + 1, "the checkpoint record is missing: the file was cut off"))
    elif seal["seq"] != last_seq or seal["hash"] != previous:
        problems.append((min(seal["seq"], last_seq), "the checkpoint does not match the last entry"))
    if seal is not None and args.ca:
        payload = canonical({"hash": seal["hash"], "seq": seal["seq"], "time": seal["time"]})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="ascii") as f:
            f.write(payload)
        try:
            ok, why = openssl_verify(base64.b64decode(seal.get("signature") or ""), f.name, args.ca)
        finally:
            os.unlink(f.name)
        if not ok:
            problems.append((seal["seq"], "the checkpoint record is not validly signed"))

    print("%s: %d entries (%d to %d), exported %s by %s" % (args.export, count, header["firstSeq"],
          header["lastSeq"], header.get("exportedAt"), header.get("exportedBy")))
    if not args.ca:
        print("note: signatures not checked; give --ca ca.crt to check them with openssl")
    entry_problems = [p for p in problems if p[0] is not None]
    if entry_problems:
        seq, why = min(entry_problems, key=lambda p: p[0])
        print("FAILED at entry %d: %s" % (seq, why))
        return 1
    if problems:
        print("FAILED: %s" % problems[0][1])
        return 1
    print("OK: the chain is intact%s." % (" and the signatures verify" if args.ca else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
