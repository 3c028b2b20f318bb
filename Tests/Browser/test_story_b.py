"""Story B, the live observation: a run streams to the other browser, and a
browser that opens the project mid-run sees the backlog, then the live lines.

The runner prints only what the test writes into its FIFO, and ends only
when the test closes it: the run is certainly running while it is looked at."""
import errno
import os

from harness import sha256, wait_until


class Feed:
    """The write end of a run's FIFO, opened once the runner reads it."""

    def __init__(self, server, project, run):
        path = server.fifos / f"{project}-{run}.fifo"
        self.fd = wait_until(lambda: self.open_if_read(path), f"the runner of {project} {run} reading its FIFO")
        os.set_blocking(self.fd, True)

    @staticmethod
    def open_if_read(path):
        """The FIFO opened for writing, or None while it is missing or nobody reads it (ENXIO)."""
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except (FileNotFoundError, OSError) as error:
            if isinstance(error, FileNotFoundError) or error.errno == errno.ENXIO:
                return None
            raise

    def line(self, text):
        os.write(self.fd, (text + "\n").encode())

    def close(self):
        os.close(self.fd)


def alice_runs_bob_watches(server, browsers, project):
    """Alice and Bob (an editor) in a new project; Alice presses Run tests. The run's id and its Feed."""
    alice, bob = browsers
    server.project(project, members={"bob": "editor"})
    alice.enter("alice", project)
    bob.enter("bob", project)
    alice.button("Run tests", ".dock").click()
    runs = wait_until(lambda: server.api("alice", "GET", f"/projects/{project}/runs")["runs"], "alice's run on record")
    return runs[0]["run_id"], Feed(server, project, runs[0]["run_id"])


def test_story_b_bob_watches_alices_run_live_and_a_late_joiner_sees_the_backlog_first(server, browsers):
    alice, bob = browsers
    run, feed = alice_runs_bob_watches(server, browsers, "story-b")
    bob.wait(lambda: bob.run_status()[0] == "running" and run in bob.run_status()[1], "bob's dock follows alice's run")

    # Each line appears in Bob's terminal while the run is running, after the ones before it.
    # (stdout and stderr are two pipes with no order between them: each line is awaited before the next.)
    live = ["[case-01] eligibility: reading the protocol", "warn: must-not term 'guarantee' occurs in the prompt", "[case-02] dosing: pass"]
    for count, line in enumerate(["[case-01] eligibility: reading the protocol", "ERR warn: must-not term 'guarantee' occurs in the prompt", "[case-02] dosing: pass"]):
        feed.line(line)
        bob.wait(lambda n=count: bob.terminal_lines() == live[:n + 1], f"line {count + 1} live in bob's terminal")
    # stdout and stderr are told apart (red in the terminal, counted in the status).
    bob.wait(lambda: bob.run_status()[1].endswith("3 lines, 1 on stderr"), "the status counts the stderr line")
    assert alice.terminal_lines() == live
    # Meanwhile alice edits the prompt: bob's view of both stories at once (docs/web-workspace.png).
    alice.click_editor("system_prompt")
    bob.wait(lambda: bob.badge("system_prompt").startswith("Being edited by alice"), "bob sees alice editing")
    bob.shot("live")
    alice.field_button("system_prompt", "Cancel").click()
    bob.wait(lambda: bob.lock_state("system_prompt") == "free", "alice cancelled")

    # Bob opens the project anew mid-run: the backlog first, then the live lines, none twice.
    bob.open_project("story-b")
    bob.wait(lambda: bob.terminal_lines() == live, "the backlog in a fresh page")
    feed.line("[case-03] reporting: pass")
    bob.wait(lambda: bob.terminal_lines() == live + ["[case-03] reporting: pass"], "a live line after the backlog")
    bob.shot("joined-mid-run")

    # The runner ends (exit 0): both see it finish.
    feed.close()
    for browser in browsers:
        browser.wait(lambda b=browser: b.run_status()[0] == "succeeded" and "(exit 0)" in b.run_status()[1], f"{browser.name} sees the run succeed")
    record = server.api("bob", "GET", f"/projects/story-b/runs/{run}")
    console = (server.root / "story-b" / "runs" / run / "console.log").read_bytes()
    assert record["state"] == "succeeded" and record["console_sha256"] == sha256(console)

    # The Runs tab lists it with its state and exit status.
    bob.tab("runs")
    row = bob.find(f"tr[data-run='{run}']")
    assert row.get_attribute("data-state") == "succeeded" and "exit 0" in row.text


def test_story_b_cancel_stops_a_run_for_everyone(server, browsers):
    alice, bob = browsers
    run, feed = alice_runs_bob_watches(server, browsers, "story-b2")
    feed.line("working")
    bob.wait(lambda: bob.terminal_lines() == ["working"], "bob sees the run's line")
    alice.button("Cancel run", ".dock").click()
    bob.wait(lambda: bob.run_status()[0] == "cancelled", "bob sees the run cancelled")
    feed.close()
    assert server.api("alice", "GET", f"/projects/story-b2/runs/{run}")["cancelled_by"] == "alice"
