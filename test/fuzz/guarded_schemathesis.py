"""Runs the Schemathesis command line with one guard on its progress display.

Schemathesis 4.32.5 repeats its phases until --max-time is spent. When a stateful scenario
reports its end after its phase already closed the progress block, the display handler fails
an assertion (`self.stateful_tests_manager is not None`) and the whole run stops with
"Internal Error", although nothing about the server was found. It happened in two CI runs, twice
in a row in one of them. The guard drops that late event from the display only: the run's
verdict, its statistics and the JSON/JUnit reports come from other handlers and still see it.
"""

import sys

from schemathesis.cli import schemathesis
from schemathesis.cli.commands.run.handlers.output import OutputHandler
from schemathesis.engine.run import PhaseName

_show_scenario_end = OutputHandler._on_scenario_finished


def _show_scenario_end_unless_late(self, ctx, event):  # type: ignore[no-untyped-def]
    if event.phase == PhaseName.STATEFUL_TESTING and self.stateful_tests_manager is None:
        return
    _show_scenario_end(self, ctx, event)


OutputHandler._on_scenario_finished = _show_scenario_end_unless_late

if __name__ == "__main__":
    sys.exit(schemathesis())
