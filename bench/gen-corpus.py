#!/usr/bin/env python3
"""Writes a generated mbox of N varied messages (default 50,000) to PATH.

Made for bench/: plain text, quoted-printable Latin-1, format=flowed,
HTML-only, multipart/alternative, attachments in base64, encoded-word
headers, long threads.  Deterministic (fixed seed), so runs compare."""
import base64
import random
import sys

WORDS = ("mail reader terminal message header body thread folder server "
         "offline laptop search index flag reply forward attachment quote "
         "charset encoding boundary network mailbox archive tern").split()


def para(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def text_body(rng, lines):
    out = []
    for _ in range(lines):
        out.append(para(rng, rng.randint(6, 12)))
        if rng.random() < 0.3:
            out.append("> " + para(rng, 8))
    return "\n".join(out) + "\n"


def headers(rng, i):
    name = rng.choice(["Alice Martin", "=?UTF-8?Q?J=C3=BCrgen_Wei=C3=9F?=",
                       "\"Doe, Jane\"", "Bob", "=?ISO-8859-1?Q?Fran=E7ois?="])
    subj = rng.choice(["Re: " + para(rng, 4), para(rng, 5),
                       "=?UTF-8?B?" + base64.b64encode(
                           ("Über " + para(rng, 3)).encode()).decode() + "?="])
    ref = "<m%d@bench.example.org>" % rng.randint(0, max(0, i - 1))
    return ("From: %s <user%d@example.org>\nTo: you@example.org\n"
            "Subject: %s\nDate: Mon, %02d Jan 2026 %02d:%02d:00 +0100\n"
            "Message-ID: <m%d@bench.example.org>\nReferences: %s\n"
            "Received: from relay.example.net by mx.example.org; "
            "Mon, 05 Jan 2026 09:12:00 +0000\nMIME-Version: 1.0\n"
            % (name, i % 997, subj, 1 + i % 28, i % 24, i % 60, i, ref))


def message(rng, i):
    kind = rng.random()
    h = headers(rng, i)
    if kind < 0.45:
        return h + "Content-Type: text/plain; charset=utf-8\n\n" + text_body(rng, rng.randint(3, 30))
    if kind < 0.55:
        body = text_body(rng, 10).replace("e", "=E9", 5)
        return (h + "Content-Type: text/plain; charset=iso-8859-1\n"
                "Content-Transfer-Encoding: quoted-printable\n\n" + body)
    if kind < 0.65:
        body = " \n".join(para(rng, 9) for _ in range(12)) + "\n"
        return h + "Content-Type: text/plain; charset=utf-8; format=flowed\n\n" + body
    if kind < 0.75:
        items = "".join("<li>%s &amp; <a href=\"https://example.org/%d\">x</a></li>" % (para(rng, 5), j)
                        for j in range(8))
        return (h + "Content-Type: text/html; charset=utf-8\n\n<html><body><h1>%s</h1>"
                "<p>%s</p><ul>%s</ul></body></html>\n" % (para(rng, 3), para(rng, 40), items))
    b = "b%d" % i
    parts = ["--%s\nContent-Type: multipart/alternative; boundary=a%d\n\n"
             "--a%d\nContent-Type: text/plain\n\n%s--a%d\nContent-Type: text/html\n\n"
             "<p>%s</p>\n--a%d--\n" % (b, i, i, text_body(rng, 8), i, para(rng, 30), i)]
    if kind < 0.95:
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(2000, 30000)))
        enc = base64.encodebytes(blob).decode()
        parts.append("--%s\nContent-Type: application/pdf; name=\"doc%d.pdf\"\n"
                     "Content-Disposition: attachment; filename*=UTF-8''%%C3%%9Cbersicht%d.pdf\n"
                     "Content-Transfer-Encoding: base64\n\n%s" % (b, i, i, enc))
    return (h + "Content-Type: multipart/mixed; boundary=\"%s\"\n\n" % b
            + "".join(parts) + "--%s--\n" % b)


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    rng = random.Random(20261128)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i in range(n):
            msg = message(rng, i)
            msg = "\n".join((">" + l) if l.lstrip(">").startswith("From ") else l
                            for l in msg.split("\n"))
            f.write("From user%d@example.org Mon Jan  5 09:12:00 2026\n" % (i % 997))
            f.write(msg)
            if not msg.endswith("\n"):
                f.write("\n")
            f.write("\n")


if __name__ == "__main__":
    main()
