"""Story C, the rollback: a save breaks model_config.json (v3), the history
shows it, the diff shows the broken line, and a revert to v2 makes v4 with
exactly v2's bytes."""
import json

from harness import FIXTURES, Keys, sha256


def test_story_c_a_broken_json_is_found_in_the_history_and_reverted(server, browsers):
    alice, sre = browsers
    server.project("story-c", members={"sre": "editor"})
    v2 = (FIXTURES / "inputs/model_config.v2.json").read_text()
    assert server.save("alice", "story-c", "model_config.json", v2, "warmer sampling")["version_number"] == 2
    alice.enter("alice", "story-c")
    sre.enter("sre", "story-c", tab="history")

    # Alice deletes the comma at the end of line 50 with the keyboard and saves: v3, invalid JSON.
    alice.click_editor("model_config.json")
    alice.wait(lambda: alice.lock_state("model_config.json") == "mine", "alice holds the lock")
    alice.keys("model_config.json", Keys.CONTROL, Keys.HOME)
    alice.keys("model_config.json", *([Keys.DOWN] * 49), Keys.END, Keys.BACKSPACE)
    lines = v2.split("\n")
    lines[49] = lines[49].rstrip(",")
    broken = "\n".join(lines)
    assert alice.editor_text("model_config.json") == broken
    alice.card("model_config.json").find_element("css selector", "input[type=text]").send_keys("tune retries")
    alice.field_button("model_config.json", "Save").click()
    alice.wait(lambda: "does not parse: line 51" in alice.card("model_config.json").text, "alice sees her save does not parse")

    # The SRE's history shows v0.1.3 as the version that broke the JSON.
    row = lambda: sre.find_all("tr[data-version='3']")
    sre.wait(lambda: row() and "model_config.json does not parse (line 51)" in row()[0].text, "v0.1.3 in the history, marked broken")
    assert "tune retries" in row()[0].text and "alice" in row()[0].text

    # Picking v2 and v3 shows the diff: the line that lost its comma, and where parsing fails.
    sre.find("tr[data-version='2'] input[type=checkbox]").click()
    sre.find("tr[data-version='3'] input[type=checkbox]").click()
    sre.wait(lambda: sre.find_all(".diff-file[data-field='model_config.json']"), "the diff of model_config.json")
    diff = sre.find(".diff-file[data-field='model_config.json']")
    removed = [r.text for r in diff.find_elements("css selector", "tr.del")]
    added = [r.text for r in diff.find_elements("css selector", "tr.ins")]
    assert len(removed) == 1 and removed[0].endswith('"max_attempts": 3,')
    assert len(added) == 1 and added[0].endswith('"max_attempts": 3')
    problem = diff.find_element("css selector", "tr.problem")
    assert problem.text.startswith("51") or " 51 " in f" {problem.text} "
    assert "does not parse in v0.1.3 at line 51, column 5" in diff.find_element("css selector", "tr.problem-note").text
    sre.shot("diff-shows-broken-line")

    # Revert to v2: a new version v0.1.4, shown as a revert, with v2's bytes.
    sre.button("Revert to v0.1.2").click()
    sre.wait(lambda: sre.find_all("dialog[open]"), "the revert is confirmed first")
    sre.button("Revert to v0.1.2", "dialog[open]").click()
    sre.wait(lambda: sre.find_all("tr[data-version='4']") and "revert to v0.1.2" in sre.find("tr[data-version='4']").text, "v0.1.4 is a revert")
    alice.wait(lambda: alice.editor_text("model_config.json") == v2, "alice's editor shows v2's text again")
    alice.wait(lambda: "does not parse" not in alice.card("model_config.json").text, "and it parses")

    draft = server.api("sre", "GET", "/projects/story-c/drafts/4")
    assert (draft["kind"], draft["reverted_to"], draft["author_id"]) == ("revert", 2, "sre")
    served = server.api("sre", "GET", "/projects/story-c/drafts/4/fields/model_config.json", raw=True)
    assert served == v2.encode()
    record = json.loads((server.root / "story-c/drafts/000004.json").read_text())
    digest = record["fields"]["model_config.json"]["sha256"]
    assert digest == sha256(v2.encode())
    assert (server.root / "story-c/objects/sha256" / digest[:2] / digest[2:]).read_bytes() == v2.encode()
