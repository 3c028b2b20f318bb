"""Story A, the locked edit, in two browsers."""
from harness import Keys


def test_story_a_a_field_locked_by_alice_is_read_only_for_bob_until_she_saves(server, browsers):
    alice, bob = browsers
    server.project("story-a", members={"bob": "editor"})
    original = server.api("alice", "GET", "/projects/story-a/drafts/current/fields/system_prompt", raw=True).decode()
    alice.enter("alice", "story-a")
    bob.enter("bob", "story-a")
    # Presence: each sees both avatars.
    for browser in browsers:
        browser.wait(lambda b=browser: {a.get_attribute("data-user") for a in b.find_all(".presence .avatar")} == {"alice", "bob"},
                     f"{browser.name} sees alice and bob")
    assert bob.lock_state("system_prompt") == "free"
    assert bob.shown_text("system_prompt").startswith("# Role\n\nYou are ProtocolGuide"), "the editor draws its text"

    # Alice clicks into the System Prompt box: her session gets the lock ...
    alice.click_editor("system_prompt")
    alice.wait(lambda: alice.lock_state("system_prompt") == "mine", "alice holds the lock")
    # ... and Bob's box turns grey and read-only with a badge naming her.
    bob.wait(lambda: bob.lock_state("system_prompt") == "other", "bob sees the field locked")
    bob.wait(lambda: bob.badge("system_prompt").startswith("Being edited by alice · until "), "the badge names alice")
    assert bob.js("return getComputedStyle(arguments[0].querySelector('.CodeMirror')).backgroundColor", bob.card("system_prompt")) == "rgb(232, 235, 238)"
    bob.shot("locked-by-alice")

    # Bob cannot type: his keystrokes reach the editor (CodeMirror reads them in the input event) and change nothing.
    bob.click_editor("system_prompt")
    bob.keys("system_prompt", "XYZ")
    assert bob.editor_text("system_prompt") == original
    assert bob.find_all(".field-card[data-field='system_prompt'] .notice.warn"), "bob is told who edits the field"
    assert bob.field_button("system_prompt", "Save").get_attribute("disabled") is not None

    # Alice edits and saves: the lock is released, Bob sees the new text and may edit.
    alice.keys("system_prompt", Keys.CONTROL, Keys.END)
    alice.keys("system_prompt", "Reviewed by Alice.")
    alice.card("system_prompt").find_element("css selector", "input[type=text]").send_keys("clarify the prompt")
    alice.field_button("system_prompt", "Save").click()
    expected = original + "Reviewed by Alice."
    alice.wait(lambda: alice.lock_state("system_prompt") == "free", "alice's lock is released by the save")
    bob.wait(lambda: bob.editor_text("system_prompt") == expected, "bob's editor shows alice's text")
    bob.keys("system_prompt", Keys.CONTROL, Keys.END)
    bob.wait(lambda: "Reviewed by Alice." in bob.shown_text("system_prompt"), "and draws it")
    bob.wait(lambda: bob.lock_state("system_prompt") == "free" and not bob.badge("system_prompt").startswith("Being edited"), "bob's field is free")
    bob.shot("after-alice-saved")
    draft = server.api("alice", "GET", "/projects/story-a/drafts/current")
    assert (draft["version_number"], draft["author_id"], draft["message"]) == (2, "alice", "clarify the prompt")
    assert draft["contents"]["system_prompt"] == expected

    # Bob now edits the same field; alice sees his badge; the typed-while-locked keys never land.
    bob.click_editor("system_prompt")
    bob.wait(lambda: bob.lock_state("system_prompt") == "mine", "bob holds the lock")
    alice.wait(lambda: alice.badge("system_prompt").startswith("Being edited by bob"), "alice sees bob's badge")
    bob.keys("system_prompt", Keys.CONTROL, Keys.END)
    bob.keys("system_prompt", " B")
    bob.field_button("system_prompt", "Save").click()
    alice.wait(lambda: alice.editor_text("system_prompt") == expected + " B", "alice sees bob's text")
    saved = server.api("bob", "GET", "/projects/story-a/drafts/3/fields/system_prompt", raw=True).decode()
    assert saved == expected + " B" and "XYZ" not in saved


def test_story_a_closing_the_tab_releases_the_lock(server, browsers):
    alice, bob = browsers
    server.project("story-a2", members={"bob": "editor"})
    alice.enter("alice", "story-a2")
    bob.enter("bob", "story-a2")
    bob.click_editor("topology.yaml")
    alice.wait(lambda: alice.lock_state("topology.yaml") == "other", "alice sees bob's lock")
    # Bob's tab goes away (a new page load closes its socket): the server releases his lock.
    bob.driver.get("about:blank")
    alice.wait(lambda: alice.lock_state("topology.yaml") == "free", "the lock is released on disconnect")
    released = server.api("alice", "GET", "/projects/story-a2/audit?type=lock.released&user=bob")["entries"]
    assert [entry["data"]["reason"] for entry in released] == ["disconnect"]
