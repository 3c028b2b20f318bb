"""Tests of scripts/check-links on tiny Markdown trees written for each test.

    python3 -m unittest discover -s scripts/tests
"""

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "check-links")
loader = importlib.machinery.SourceFileLoader("check_links", SCRIPT)
spec = importlib.util.spec_from_loader("check_links", loader)
check_links = importlib.util.module_from_spec(spec)
loader.exec_module(check_links)


class CheckLinksTests(unittest.TestCase):
    def tree(self, files):
        """A temp directory with these files (relative path -> text); the path of the directory."""
        directory = tempfile.mkdtemp(prefix="check-links-")
        self.addCleanup(subprocess.run, ["rm", "-rf", directory])
        for name, text in files.items():
            path = os.path.join(directory, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return directory

    def run_script(self, *paths):
        return subprocess.run([sys.executable, SCRIPT, *paths], capture_output=True, text=True)

    def test_one_good_and_one_broken_link_fails_naming_the_broken_one(self):
        directory = self.tree({
            "index.md": "# Index\n\nSee [the guide](docs/guide.md#getting-started)\nand [the missing part](docs/guide.md#no-such-heading).\n",
            "docs/guide.md": "# Guide\n\n## Getting started\n\nText.\n",
        })
        result = self.run_script(directory)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("index.md:4: docs/guide.md#no-such-heading: no heading #no-such-heading in", result.stdout)
        self.assertNotIn("getting-started", result.stdout)
        self.assertIn("1 broken of 2 links", result.stderr)

    def test_the_same_tree_without_the_broken_link_passes(self):
        directory = self.tree({
            "index.md": "# Index\n\nSee [the guide](docs/guide.md#getting-started).\n",
            "docs/guide.md": "# Guide\n\n## Getting started\n",
        })
        result = self.run_script(directory)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_a_missing_file_a_directory_and_links_that_are_not_checked(self):
        directory = self.tree({
            "a.md": "[gone](gone.md) [dir](sub/) [web](https://example.com/x.md) [mail](mailto:a@b)\n"
                    "`[code](nowhere.md)`\n\n```\n[fenced](nowhere.md)\n```\n[ref]: ./sub/b.md\n",
            "sub/b.md": "text\n",
        })
        result = self.run_script(os.path.join(directory, "a.md"))
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        self.assertTrue(result.stdout.endswith("a.md:1: gone.md: no such file " + os.path.relpath(os.path.join(directory, "gone.md")) + "\n"), result.stdout)

    def test_github_anchors(self):
        self.assertEqual(check_links.slug(check_links.heading_text("Real time: `GET /ws/project/{id}`")), "real-time-get-wsprojectid")
        self.assertEqual(check_links.slug(check_links.heading_text("What `foundry verify` checks (and **why**)")), "what-foundry-verify-checks-and-why")
        self.assertEqual(check_links.slug(check_links.heading_text("A - B, C_d & [link](x.md)")), "a---b-c_d--link")
        directory = self.tree({"a.md": "# Title\n\n## Notes\n\n## Notes\n\nSetext\n------\n\n<a name=\"here\"></a>\n"})
        self.assertEqual(check_links.anchors(os.path.join(directory, "a.md")), {"title", "notes", "notes-1", "setext", "here"})

    def test_anchors_in_the_same_file(self):
        directory = self.tree({"a.md": "# Top\n\n[up](#top) [nowhere](#bottom)\n"})
        result = self.run_script(directory)
        self.assertEqual(result.returncode, 1)
        self.assertIn("#bottom: no heading #bottom", result.stdout)
        self.assertNotIn("#top", result.stdout)


if __name__ == "__main__":
    unittest.main()
