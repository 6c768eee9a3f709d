"""The quiz in a terminal (rich), and the same quiz driven line by line from a script on stdin.

Both share the rendering; they differ only in how input is read:
- a terminal: type an answer (several lines, an empty line ends it; Enter alone reveals), then one key;
- a script (stdin is not a terminal): per card, the typed answer as lines up to the first empty line, then
  one line holding a grade 0-5 or d / s / u / q. The end of input ends the session cleanly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from quizdl.errors import QuizdlError
from quizdl.session import Action, Command, Prompt, Reveal, Summary

DIFFICULTY = {1: "basic", 2: "intermediate", 3: "advanced"}
# SM-2's grades in a few words each (docs: SuperMemo 2); shown under every grade line.
GRADE_LEGEND = "0 blank · 1 wrong, familiar · 2 wrong, seemed easy · 3 hard · 4 hesitant · 5 perfect"
KIND_LABEL = {"scheduled": "", "redrill": " · re-drill", "cram": " · cram", "prep": " · interview prep"}
GRADE_HELP = {0: "blackout", 1: "wrong, familiar", 2: "wrong, easy once seen", 3: "hard", 4: "good", 5: "perfect"}


def days(n: int) -> str:
    if n < 31:
        return f"{n}d"
    if n < 365:
        return f"{n / 30:.1f}mo"
    return f"{n / 365:.1f}y"


def parse_command(text: str) -> Command | None:
    """A grade 0-5, one of d/s/u/q, or Enter (empty) for the suggested grade; None when the text is neither."""
    key = text.strip().lower()
    if key in {"0", "1", "2", "3", "4", "5"}:
        return Command(Action.GRADE, int(key))
    return {
        "": Command(Action.ACCEPT),  # Enter (an empty command line in scripts): take the suggested grade
        "d": Command(Action.DEMO),
        "s": Command(Action.SKIP),
        "u": Command(Action.UNDO),
        "q": Command(Action.QUIT),
    }.get(key)


class QuizView:
    """Rendering shared by the terminal and the scripted UI."""

    def __init__(self, console: Console, run_demo: Callable[[str], None]) -> None:
        self.console = console
        self._run_demo = run_demo

    def show_prompt(self, prompt: Prompt) -> None:
        q = prompt.question
        title = (
            f"[bold]{prompt.position}/{prompt.total}[/] · {q.topic} · {DIFFICULTY.get(q.difficulty, '?')}"
            f"{KIND_LABEL.get(prompt.kind, '')}"
        )
        self.console.print(Panel(Text(q.question, style="bold"), title=title, title_align="left", border_style="cyan"))

    def reveal(self, reveal: Reveal) -> None:
        from rich.markdown import Markdown  # markdown-it and pygments: ~60 ms, paid after the first question shows

        q = reveal.prompt.question
        points = Text()
        for i, (point, hit) in enumerate(zip(q.key_points, reveal.matched, strict=True)):
            if i:
                points.append("\n")
            if reveal.typed:
                points.append("✓ " if hit else "· ", style="green" if hit else "dim")
            else:
                points.append("• ")
            points.append(point, style="green" if hit and reveal.typed else "")
        body: list[object] = [Markdown(q.answer), Text(""), Text("Key points", style="bold"), points]
        if reveal.typed:
            body.append(
                Text(f"\nYou mentioned {sum(reveal.matched)} of {len(reveal.matched)} key points.", style="dim")
            )
        self.console.print(Panel(Group(*body), title="Model answer", title_align="left", border_style="green"))

    def grade_line(self, reveal: Reveal, demos: tuple[str, ...]) -> str:
        if reveal.intervals is not None:
            grades = "  ".join(f"[bold]{g}[/] {days(d)}" for g, d in reveal.intervals.items())
        else:
            grades = "  ".join(f"[bold]{g}[/]" for g in range(6)) + "  (schedule unchanged)"
        extras = [f"[bold]Enter[/] = {reveal.suggested} (suggested)"] if reveal.suggested is not None else []
        extras.append("[bold]s[/] skip")
        if reveal.can_undo:
            extras.append("[bold]u[/] undo")
        if demos:
            extras.append(f"[bold]d[/] demo ({', then '.join(demos)})")
        extras.append("[bold]q[/] quit")
        return f"Grade: {grades}   " + "  ".join(extras) + f"\n[dim]{GRADE_LEGEND}[/]"

    def notice(self, message: str) -> None:
        self.console.print(f"[yellow]{message}[/]")

    def run_demo(self, name: str) -> None:
        self._run_demo(name)


def render_summary(console: Console, summary: Summary, today_text: Callable[[object], str]) -> None:
    if summary.reviewed == 0 and not summary.skipped:
        message = "No answers recorded." if not summary.interrupted else "Interrupted: no answers recorded."
        console.print(message)
    else:
        share = f"{summary.pass_share:.0%}" if summary.pass_share is not None else "-"
        lines = [
            f"Reviewed [bold]{summary.reviewed}[/] (graded 3 or more: {share})",
            f"Re-drills: {summary.redrilled}" if summary.redrilled else None,
            f"Interview prep: {summary.prepped}" if summary.prepped else None,
            f"Skipped: {summary.skipped}" if summary.skipped else None,
            f"Left for later: {summary.remaining}" if summary.remaining else None,
        ]
        console.print(Panel("\n".join(x for x in lines if x), title="Session summary", title_align="left"))
    if summary.next_due is not None:
        console.print(f"Next due: {today_text(summary.next_due)}{_what_is_left(summary)}")


def _what_is_left(summary: Summary) -> str:
    """Why "today": say what is left, since "due" alone reads as reviews when only new cards remain."""
    parts = []
    reviews = summary.remaining - summary.remaining_new - summary.remaining_redrills
    if reviews:
        parts.append(f"{reviews} review{'s' if reviews != 1 else ''}")
    if summary.remaining_redrills:
        parts.append(f"{summary.remaining_redrills} re-drill{'s' if summary.remaining_redrills != 1 else ''}")
    if summary.remaining_new:
        parts.append(f"{summary.remaining_new} new card{'s' if summary.remaining_new != 1 else ''}")
    if summary.skipped_today:
        parts.append(f"{summary.skipped_today} skipped")
    return f" ({', '.join(parts)} left)" if parts else ""


class ScriptedUI:
    """Reads the line protocol from a stream (stdin when it is not a terminal)."""

    def __init__(self, view: QuizView, stream: IO[str], on_card: Callable[[Prompt], None] | None = None) -> None:
        self.view = view
        self.stream = stream
        self.line_number = 0
        self.on_card = on_card  # called once the card is on screen (the quiz warms the card's demo there)

    def _line(self) -> str | None:
        line = self.stream.readline()
        if line == "":
            return None
        self.line_number += 1
        return line.rstrip("\r\n")

    def ask_answer(self, prompt: Prompt) -> str | None:
        self.view.show_prompt(prompt)
        if self.on_card is not None:
            self.on_card(prompt)
        lines: list[str] = []
        while (line := self._line()) is not None:
            if line.strip() == "":
                return "\n".join(lines)
            lines.append(line)
        return "\n".join(lines) if lines else None

    def reveal(self, reveal: Reveal) -> None:
        self.view.reveal(reveal)
        self.view.console.print(self.view.grade_line(reveal, reveal.prompt.question.demos))

    def ask_command(self, reveal: Reveal) -> Command:
        line = self._line()
        if line is None:
            return Command(Action.QUIT)
        command = parse_command(line)
        if command is None:  # a script that says something else is broken: stop rather than guess
            raise QuizdlError(
                f"stdin line {self.line_number}: {line.strip()!r} is not a grade 0-5 or d, s, u, q "
                "(after the typed answer and its empty line comes one command line)"
            )
        return command

    def run_demo(self, name: str) -> None:
        self.view.run_demo(name)

    def notice(self, message: str) -> None:
        self.view.notice(message)


class KeyReader:
    """Single key presses from the terminal (cbreak mode), switched on before the answer is shown.

    Switching only when the grade is asked would lose a key pressed while the answer is still being
    drawn: the terminal holds it in its line buffer until Enter. So `start()` runs before rendering and
    `stop()` restores line input for the next typed answer (and when the session ends).
    """

    def __init__(self) -> None:
        self._saved: list[object] | None = None

    def start(self) -> None:
        if self._saved is not None or not sys.stdin.isatty():
            return
        import termios
        import tty

        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)  # ISIG stays on: Ctrl-C still interrupts

    def stop(self) -> None:
        if self._saved is None:
            return
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)
        self._saved = None

    def read(self) -> str:
        self.start()
        # os.read, not sys.stdin.read: the text wrapper may sit on bytes it buffered, or wait for more.
        return os.read(sys.stdin.fileno(), 1).decode(errors="replace")


class TerminalUI:
    """Interactive: lines for the answer, then one key press for the grade."""

    def __init__(
        self, view: QuizView, keys: KeyReader | None = None, on_card: Callable[[Prompt], None] | None = None
    ) -> None:
        self.view = view
        self.keys = keys or KeyReader()
        self.on_card = on_card  # called once the card is on screen (the quiz warms the card's demo there)

    def close(self) -> None:
        self.keys.stop()

    def ask_answer(self, prompt: Prompt) -> str | None:
        self.keys.stop()
        self.view.show_prompt(prompt)
        self.view.console.print("[dim]Type your answer; an empty line reveals the model answer.[/]")
        if self.on_card is not None:
            self.on_card(prompt)
        lines: list[str] = []
        while True:
            try:
                line = self.view.console.input("[dim]›[/] ")
            except EOFError:
                return "\n".join(lines) if lines else None
            if not line.strip():
                return "\n".join(lines)
            lines.append(line)

    def reveal(self, reveal: Reveal) -> None:
        self.keys.start()
        self.view.reveal(reveal)
        self.view.console.print(self.view.grade_line(reveal, reveal.prompt.question.demos))

    def ask_command(self, reveal: Reveal) -> Command:
        while True:
            key = self.keys.read()
            if key in ("\x03",):
                raise KeyboardInterrupt
            if key in ("\x04", ""):
                return Command(Action.QUIT)
            command = parse_command(key)
            if command is not None:
                return command

    def run_demo(self, name: str) -> None:
        self.view.run_demo(name)

    def notice(self, message: str) -> None:
        self.view.notice(message)
