"""Review in two browsers (a reviewer's comment appears live in the other),
a viewer who sees everything and can change nothing, and the freeze."""
from harness import Keys


def test_a_reviewers_comment_appears_in_the_other_browser_without_a_reload(server, browsers):
    alice, rita = browsers
    server.project("review", members={"rita": "reviewer"})
    alice.enter("alice", "review")
    rita.enter("rita", "review", tab="review")

    # Rita comments on lines 3-4 of the system prompt.
    form = rita.find("form.compose")
    form.find_element("css selector", "select").send_keys("system_prompt")
    for selector, value in (("input[aria-label='From line']", "3"), ("input[aria-label='To line']", "4")):
        box = form.find_element("css selector", selector)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(value)
    form.find_element("css selector", "textarea").send_keys("Cite the protocol section here.")
    form.find_element("css selector", "button[type=submit]").click()
    rita.wait(lambda: rita.find_all(".thread[data-comment='c-1']"), "rita's comment in her list")

    # Alice, on the Fields tab, gets a marker in the prompt's gutter at line 3, without a reload.
    marker = lambda: alice.find_all(".field-card[data-field='system_prompt'] .comment-marker[data-comment='c-1']")
    alice.wait(marker, "the comment's gutter marker in alice's editor")
    marked = alice.js("""const cm = arguments[0].querySelector('.CodeMirror').CodeMirror; const lines = [];
                         for (let i = 0; i < cm.lineCount(); i += 1) if (cm.lineInfo(i).gutterMarkers?.comments) lines.push(i + 1);
                         return lines""", alice.card("system_prompt"))
    assert marked == [3]
    assert "Cite the protocol section here." in marker()[0].get_attribute("title")
    alice.shot("gutter-marker")

    # She opens the thread from the marker and replies; Rita sees the reply, then the resolve.
    marker()[0].click()
    alice.wait(lambda: alice.find_all(".thread[data-comment='c-1']"), "the thread in alice's review tab")
    thread = alice.find(".thread[data-comment='c-1']")
    thread.find_element("css selector", "input[type=text]").send_keys("Will do.")
    alice.button("Reply", ".thread[data-comment='c-1']").click()
    rita.wait(lambda: "Will do." in rita.find(".thread[data-comment='c-1']").text, "rita sees alice's reply")
    alice.button("Resolve", ".thread[data-comment='c-1']").click()
    rita.wait(lambda: rita.find(".thread[data-comment='c-1']").get_attribute("data-status") == "resolved", "rita sees it resolved")

    # Rita adds a task for alice; alice ticks it; rita sees it done.
    rita.find("input[aria-label='New task']").send_keys("Check the dosing table")
    rita.find("select[aria-label='Assign the new task to']").send_keys("alice")
    rita.button("Add task").click()
    alice.wait(lambda: alice.find_all("li[data-task='t-1']"), "the task reaches alice")
    alice.find("li[data-task='t-1'] input[type=checkbox]").click()
    rita.wait(lambda: "done" in rita.find("li[data-task='t-1']").get_attribute("class"), "rita sees the task done")
    task = server.api("rita", "GET", "/projects/review/tasks/t-1")
    assert (task["done"], task["assignee"], task["updated_by"]) == (True, "alice", "alice")

    # The audit view (owners and reviewers): newest first, filtered by type and user.
    alice.tab("audit")
    alice.wait(lambda: alice.find_all(".audit-table tbody tr[data-seq]"), "the audit entries")
    seqs = [int(row.get_attribute("data-seq")) for row in alice.find_all(".audit-table tbody tr[data-seq]")]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) > 5
    alice.find("select[aria-label='Type of entry']").send_keys("comment.*")
    alice.find("input[aria-label='User']").send_keys("rita")
    alice.button("Show").click()
    alice.wait(lambda: [row.get_attribute("data-type") for row in alice.find_all(".audit-table tbody tr[data-seq]")] == ["comment.created"],
               "only rita's comment entries")

    # A reviewer edits nothing: the prompt stays free for everyone after rita clicks it.
    rita.tab("fields")
    rita.click_editor("system_prompt")
    assert rita.lock_state("system_prompt") == "free"
    assert rita.badge("system_prompt") == "Read-only for your role (reviewer)"


def test_a_viewer_sees_everything_and_can_change_nothing_then_the_freeze_reaches_them(server, browsers):
    alice, vic = browsers
    server.project("viewing", members={"vic": "viewer"})
    server.save("alice", "viewing", "system_prompt", "A second version.\n", "v2")
    server.api("alice", "POST", "/projects/viewing/comments", {"version": 2, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "Short."})
    alice.enter("alice", "viewing")
    vic.enter("vic", "viewing")

    # Everything is shown: every field with the head's text, the history, the comment.
    head = server.api("alice", "GET", "/projects/viewing/drafts/current")
    shown = {card.get_attribute("data-field") for card in vic.find_all(".field-card")}
    assert shown == set(head["contents"]) - {"scratchpad"}
    for field in ("system_prompt", "model_config.json", "tests/bec.jsonl"):
        assert vic.editor_text(field) == head["contents"][field]
    # Nothing to change with: no Save, Run, Freeze, Add field, comment or task forms; no Audit tab.
    assert not vic.visible(".field-card button.primary")
    assert not vic.visible(".dock button.primary")
    assert not [b for b in vic.find_all(".project-head button") if b.is_displayed()]
    assert not vic.visible("form.compose") and not vic.visible(".add-field")
    assert not vic.find_all(".tabs a[data-tab='audit']")
    vic.tab("history")
    vic.wait(lambda: vic.find_all("tr[data-version='2']"), "the history")
    assert not [b for b in vic.find_all(".history-table button") if b.is_displayed()]
    vic.tab("review")
    vic.wait(lambda: vic.find_all(".thread[data-comment='c-1']"), "the comment")
    assert not vic.find(".thread[data-comment='c-1']").find_elements("css selector", "button")
    vic.tab("fields")

    # Clicking and typing changes nothing and asks for no lock.
    vic.click_editor("system_prompt")
    vic.keys("system_prompt", "typed by a viewer")
    assert vic.editor_text("system_prompt") == head["contents"]["system_prompt"]
    assert vic.lock_state("system_prompt") == "free" and vic.badge("system_prompt") == "Read-only for your role (viewer)"
    assert alice.lock_state("system_prompt") == "free"
    assert server.api("alice", "GET", "/projects/viewing/audit?user=vic&type=lock")["entries"] == []
    vic.shot("viewer")

    # A narrow window: one column, nothing wider than the window, the console still in view.
    vic.viewport(420, 800)
    vic.wait(lambda: vic.js("return document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 420 px")
    assert vic.find(".dock").is_displayed() and vic.find(".field-card[data-field='system_prompt']").is_displayed()
    vic.shot("narrow")
    vic.viewport(1280, 800)

    # The members and the release policy are shown to the viewer, not changeable.
    vic.tab("members")
    approvals = vic.find("input[aria-label='Approvals a freeze needs']")
    vic.wait(lambda: approvals.get_attribute("value") == "1", "the default policy")
    assert approvals.get_attribute("disabled") is not None and not vic.visible("select[aria-label^='Role of']")
    vic.tab("fields")

    # Freezing needs an approval (the default release policy): refused with the reason, in the dialog.
    alice.button("Freeze…").click()
    alice.wait(lambda: alice.find_all("dialog[open]"), "the freeze confirmation")
    dialog = alice.find("dialog[open]").text
    assert "read-only for everyone" in dialog and "SHA256SUMS" in dialog and "no unfreeze" in dialog and "none yet" in dialog
    alice.button("Freeze v0.1.2", "dialog[open]").click()
    alice.wait(lambda: "needs 1 approval(s) before it is frozen and has 0" in alice.find("dialog[open] .notice.error").text, "why not")
    alice.button("Keep editing", "dialog[open]").click()

    # Alice approves v0.1.2 (an owner may): the signature reaches vic's history live.
    alice.tab("history")
    alice.wait(lambda: alice.find_all("tr[data-version='2']"), "alice's history")
    alice.button("Sign v0.1.2…").click()
    alice.wait(lambda: alice.find_all("dialog[open] input[value='approved']"), "the signing dialog")
    assert {i.get_attribute("value") for i in alice.find_all("dialog[open] input[name='meaning']")} == {"authored", "reviewed", "approved"}
    alice.find("dialog[open] input[value='approved']").click()
    alice.button("Sign v0.1.2", "dialog[open]").click()
    vic.tab("history")
    vic.wait(lambda: vic.find_all("tr[data-version='2'] .signature[data-meaning='approved'][data-signer='alice']"), "vic sees alice's approval")

    # Alice freezes after a confirmation that says what happens; vic's page shows the banner and the bundle's checksums.
    alice.button("Freeze…").click()
    alice.wait(lambda: alice.find_all("dialog[open] .signature[data-meaning='approved']"), "the confirmation names the approval")
    alice.button("Freeze v0.1.2", "dialog[open]").click()
    vic.wait(lambda: vic.visible(".banner.frozen"), "vic sees the frozen banner")
    vic.find(".banner.frozen summary").click()
    sums = (server.root / "viewing/bundles/viewing-0.1.2/SHA256SUMS").read_text()
    vic.wait(lambda: vic.find(".banner.frozen pre.sha256sums").text == sums.strip(), "the bundle's SHA256SUMS")
    assert {t.get_attribute("data-meaning") for t in vic.find_all(".banner.frozen .signature")} == {"approved", "released"}
    alice.tab("fields")
    alice.wait(lambda: alice.badge("system_prompt") == "Frozen · read-only", "alice's editors are read-only")
    alice.click_editor("system_prompt")
    assert alice.lock_state("system_prompt") == "free"
    vic.shot("frozen")
