#!/usr/bin/python3
# A local SMTP sink for the demo: every message is saved as an .eml file in
# a folder and its text part is printed, so the person trying Vestibule can
# copy the reset link or code straight from the terminal.
import asyncio
import email
import email.policy
import pathlib
import sys
import time

from aiosmtpd.controller import Controller


class SaveAndShow:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = self.folder / f"{int(time.time())}-{self.count:03d}.eml"
        path.write_bytes(envelope.content)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        print(f"\n=== E-mail to {', '.join(envelope.rcpt_tos)}: {msg['subject']}", flush=True)
        print(f"    (saved as {path})", flush=True)
        if body is not None:
            print(body.get_content(), flush=True)
        return "250 Message accepted"


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    controller = Controller(SaveAndShow(sys.argv[2]), hostname=host, port=int(port))
    controller.start()
    try:
        asyncio.new_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
