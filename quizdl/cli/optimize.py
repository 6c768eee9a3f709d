"""`quizdl optimize`: fit the FSRS-6 memory model to the profile's own answers (PyTorch, via py-fsrs)."""

from __future__ import annotations

import typer

from quizdl.cli.common import DbOption, ProfileOption, console, make_context


def optimize(db: DbOption = None, profile: ProfileOption = None) -> None:
    """Fit FSRS-6 parameters to your answers and keep them if they predict your latest answers better.

    The earliest 80% of your answers train, the latest 20% are predicted: log loss and RMSE (over 20 bins)
    for the default parameters, the fitted ones and SM-2's implied recall. Predicted recall (stats, the
    interview plan's prep cards) then uses the kept parameters."""
    from quizdl.errors import QuizdlError
    from quizdl.srs import fitting
    from quizdl.store import repo

    ctx = make_context(db=db, profile=profile)
    try:
        pid = ctx.existing_profile_id(profile)
        with ctx.engine.connect() as conn:
            answers = repo.logged_answers(conn, pid)
        try:
            import pandas  # noqa: F401  (py-fsrs's Optimizer needs them; fail before any work)
            import tqdm  # noqa: F401
        except ImportError as err:
            raise QuizdlError(
                f"quizdl optimize needs {err.name}: pip install 'quizdl[optimize]' (pandas and tqdm)"
            ) from None
        try:
            result = fitting.compare(answers, lambda train: fitting.fit(train, verbose=True))
        except fitting.TooLittleHistory as err:
            typer.echo(f"quizdl optimize: {err}; nothing was changed")
            return
        out = console()
        from rich.table import Table

        table = Table("model", "answers predicted", "log loss", "RMSE (bins)", title="Your latest answers",
                      title_justify="left")  # fmt: skip
        for label, s in (("FSRS-6, default parameters", result.default), ("FSRS-6, fitted to you", result.fitted),
                         ("SM-2, implied recall", result.sm2)):  # fmt: skip
            table.add_row(label, str(s.answers), _num(s.log_loss), _num(s.rmse_bins))
        out.print(
            f"Trained on your earliest {result.train_answers} answers; scored on the latest {result.test_answers}."
        )
        out.print(table)
        better = (
            result.fitted.log_loss is not None and result.default.log_loss is not None
            and result.fitted.log_loss < result.default.log_loss
        )  # fmt: skip
        if better:
            repo.save_fsrs_parameters(ctx.engine, pid, result.parameters)
            out.print("Kept the fitted parameters: predicted recall now uses them.")
        else:
            out.print("Kept the default parameters: the fitted ones did not predict your latest answers better.")
    finally:
        ctx.close()


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.4f}"


def register(app: typer.Typer) -> None:
    app.command("optimize")(optimize)
