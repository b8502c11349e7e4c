#!/usr/bin/env python3
"""A small SMTP receiver for the alert tests (python3 stdlib only, asyncio).

    smtp_sink.py ADDRESS PORT OUTPUT MODE

MODE accept: speaks ESMTP, appends each message to OUTPUT as one JSON line
    {"helo": ..., "mail_from": ..., "rcpt_to": [...], "data": "..."} (data un-dot-stuffed).
MODE refuse: answers every command after the greeting with 554 (and counts the attempts in OUTPUT).
MODE hang: accepts connections and never says a word (counts the connections in OUTPUT).
MODE noehlo: answers EHLO with 502, so the client must fall back to HELO; otherwise as accept.
"""

from __future__ import annotations

import asyncio
import json
import sys


def append(path: str, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, output: str, mode: str) -> None:
    async def say(line: str) -> None:
        writer.write((line + "\r\n").encode())
        await writer.drain()

    if mode == "hang":
        append(output, {"connection": True})
        await reader.read()  # until the client gives up and closes
        writer.close()
        return
    await say("220 sink.test ESMTP")
    record = {"helo": None, "mail_from": None, "rcpt_to": [], "data": None}
    while True:
        raw = await reader.readline()
        if not raw:
            break
        line = raw.decode(errors="replace").rstrip("\r\n")
        verb = line[:4].upper()
        if mode == "refuse" and verb != "QUIT":
            append(output, {"refused": line})
            await say("554 5.7.1 alerts not welcome here")
            continue
        if verb == "EHLO":
            if mode == "noehlo":
                await say("502 5.5.1 EHLO not implemented")
                continue
            record["helo"] = line
            await say("250-sink.test")
            await say("250 8BITMIME")
        elif verb == "HELO":
            record["helo"] = line
            await say("250 sink.test")
        elif line.upper().startswith("MAIL FROM:"):
            record["mail_from"] = line[10:].strip()
            await say("250 2.1.0 ok")
        elif line.upper().startswith("RCPT TO:"):
            record["rcpt_to"].append(line[8:].strip())
            await say("250 2.1.5 ok")
        elif verb == "DATA":
            await say("354 end with <CRLF>.<CRLF>")
            lines = []
            while True:
                raw = await reader.readline()
                if not raw or raw == b".\r\n":
                    break
                text = raw.decode(errors="replace")
                lines.append(text[1:] if text.startswith(".") else text)
            record["data"] = "".join(lines)
            append(output, record)
            record = {"helo": record["helo"], "mail_from": None, "rcpt_to": [], "data": None}
            await say("250 2.0.0 queued")
        elif verb == "QUIT":
            await say("221 2.0.0 bye")
            break
        else:
            await say("500 5.5.2 what?")
    writer.close()


async def main() -> None:
    address, port, output, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    server = await asyncio.start_server(lambda r, w: session(r, w, output, mode), address, port)
    print(f"listening on {address}:{port} ({mode})", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
