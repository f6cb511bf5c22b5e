"""A progress bar on stderr: redrawn in place on a terminal, a plain line
every tenth of the way otherwise (a log file should not fill with bars)."""

import sys
import time

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1


class Progress:
    def __init__(self, total: int, label: str, stream=None):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.drawn_at = 0.0
        self.tenths = 0

    def __call__(self, done: int) -> None:
        if self.tty:
            now = time.monotonic()
            if now - self.drawn_at >= REDRAW_SECONDS or done >= self.total:
                self.drawn_at = now
                filled = BAR_WIDTH * done // self.total
                self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                                  f"{100 * done // self.total:3d}% {done}/{self.total}")
                self.stream.flush()
            return
        tenths = 10 * done // self.total
        if tenths > self.tenths:
            self.tenths = tenths
            self.stream.write(f"{self.label}: {done}/{self.total} ({10 * tenths}%)\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
