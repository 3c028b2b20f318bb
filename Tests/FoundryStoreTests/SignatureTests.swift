import Foundation
import Testing
@testable import FoundryStore

/// Electronic signatures in the store: the record on disk, what it covers,
/// who may sign, the identification components, and what verify finds when
/// a signature is moved.
@Suite("Electronic signatures")
struct SignatureTests {
    static let rita = EditorIdentity(user: "rita", session: "rita-tab-1")
    static let vera = EditorIdentity(user: "vera", session: "vera-tab-1")

    /// `onco` at version 2 (bob edited the prompt); bob is an editor, rita a reviewer, vera a viewer.
    static func project() throws -> (TemporaryDirectory, Workspace, ProjectStore) {
        let (directory, workspace, store) = try makeProject()
        try store.setMember("bob", role: .editor, by: alice)
        try store.setMember("rita", role: .reviewer, by: alice)
        try store.setMember("vera", role: .viewer, by: alice)
        try lockAndSave(store, "system_prompt", "line 1\nline 2, edited\n", as: bob)
        return (directory, workspace, store)
    }

    @Test("A signature is a file signed by the server key, naming the exact bytes it covers, chained and audited")
    func recordOnDisk() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        let signer = Signer(identity: Self.rita, printedName: "Rita Zoë Ångström", authentication: Self.rita.signer.authentication)
        let first = try store.sign(SignatureRequest(version: 2, meaning: .reviewed, reason: "checked the escalation wording"), by: signer)
        let second = try store.sign(SignatureRequest(version: 2, meaning: .approved), by: Self.rita.signer)

        let path = store.layout.directory + "/signatures/000001.json"
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(Digest.sha256(data) == first.sha256)
        let payload = first.record.payload
        let draft = try store.draft(2)
        #expect(payload.projectID == "onco" && payload.version == 2 && payload.label == "0.1.2" && payload.draftID == draft.id)
        #expect(payload.record == "drafts/000002.json" && payload.fields == draft.record.fields.mapValues(\.sha256))
        #expect(payload.meaning == .reviewed && payload.statement == "I have reviewed this version.")
        #expect(payload.printedName == "Rita Zoë Ångström" && payload.signerID == "rita" && payload.signerRole == .reviewer)
        #expect(payload.session == "rita-tab-1" && payload.reason == "checked the escalation wording")
        #expect(payload.authentication.method == "step_up" && payload.authentication.amr == ["pwd"] && payload.authentication.firstInSession)
        #expect(payload.prev == AuditEntry.genesis)
        #expect(second.record.payload.prev == first.sha256 && !second.record.payload.authentication.firstInSession)
        #expect(second.record.payload.printedName == "rita", "without a name the user id is printed")
        #expect(try run("/usr/bin/sha256sum", [path]).output.hasPrefix(first.sha256))

        let notary = try #require(workspace.notary)
        #expect(SignatureRecord.check(data, keys: notary.keys) == .valid)
        let entry = try #require(try store.audit.entries().compactMap(\.entry).first { $0.type == .signatureAdded })
        #expect(entry.user == "rita" && entry.session == "rita-tab-1" && entry.version == 2)
        #expect(entry.data["file"] == "signatures/000001.json" && entry.data["sha256"]?.string == first.sha256)
        #expect(entry.data["meaning"] == "reviewed" && entry.data["draft_id"]?.string == draft.id && entry.data["printed_name"] == "Rita Zoë Ångström")
        #expect(try store.signatureRecords(on: 2).map(\.sequence) == [1, 2] && (try store.signatureRecords(on: 1)).isEmpty)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean && report.signaturesChecked == 2, "\(report.findings)")
    }

    @Test("openssl checks a signature with the published public key over the payload jq prints")
    func opensslChecksIt() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        let signer = Signer(identity: Self.rita, printedName: "Rita Zoë / QA \"lead\"", authentication: Self.rita.signer.authentication)
        try store.sign(SignatureRequest(version: 2, meaning: .approved, reason: "tabs\tand ünïcode"), by: signer)
        let notary = try #require(workspace.notary)
        let record = store.layout.directory + "/signatures/000001.json"
        try Data(notary.key.publicKey.pem.utf8).write(to: URL(fileURLWithPath: directory.path + "/key.pem"))
        let derived = try run("/usr/bin/openssl", ["pkey", "-in", directory.path + "/.foundry/signing-key", "-pubout"])
        #expect(derived.status == 0 && derived.output == notary.key.publicKey.pem, "\(derived.output)")
        #expect(try run("/bin/sh", ["-c", "jq -jcS .payload \(record) > msg && jq -r .signature.value \(record) | base64 -d > sig"], in: directory.path).status == 0)
        let check = try run("/usr/bin/openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "msg", "-sigfile", "sig"], in: directory.path)
        #expect(check.status == 0 && check.output.contains("Signature Verified Successfully"), "\(check.output)")
    }

    @Test("Who may sign what: viewers nothing, reviewers not authorship, editors not approval, released only by freezing")
    func roles() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        let before = try snapshot(directory.path)
        let refused: [(EditorIdentity, SignatureMeaning, String)] = [
            (Self.vera, .reviewed, "'vera' is a viewer of project 'onco' and may not sign reviewed"),
            (Self.rita, .authored, "'rita' is a reviewer of project 'onco' and may not sign authored"),
            (bob, .approved, "'bob' is a editor of project 'onco' and may not sign approved"),
            (EditorIdentity(user: "mallory", session: "m"), .reviewed, "'mallory' is not a member of project 'onco' and may not sign reviewed"),
        ]
        for (who, meaning, message) in refused {
            do {
                try store.sign(SignatureRequest(version: 2, meaning: meaning), by: who.signer)
                Issue.record("\(who.user) signed \(meaning)")
            } catch let error as StoreError {
                #expect(error.description == message)
            }
        }
        #expect(throws: StoreError.releasedBySigning) { try store.sign(SignatureRequest(version: 2, meaning: .released), by: alice.signer) }
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 3)) { try store.sign(SignatureRequest(version: 3, meaning: .approved), by: alice.signer) }
        #expect(throws: StoreError.self) { try store.sign(SignatureRequest(version: 2, meaning: .reviewed, reason: "  "), by: bob.signer) }
        #expect(try snapshot(directory.path) == before)
        for (who, meaning) in [(bob, SignatureMeaning.authored), (bob, .reviewed), (Self.rita, .reviewed), (Self.rita, .approved), (alice, .authored), (alice, .approved)] {
            #expect(try store.sign(SignatureRequest(version: 1, meaning: meaning), by: who.signer).record.payload.meaning == meaning)
        }
    }

    @Test("Required amr: every component at the session's first signing, one of them at each later signing")
    func identificationComponents() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        func signer(_ session: String, _ amr: [String]) -> Signer {
            Signer(identity: EditorIdentity(user: "rita", session: session), authentication: SignerAuthentication(
                method: "step_up", authTime: Timestamp.string(from: Date()), amr: amr, maxAge: 300, requiredAMR: ["pwd", "otp"]))
        }
        let request = SignatureRequest(version: 2, meaning: .reviewed)
        #expect(throws: StoreError.authenticationComponentsMissing(missing: ["otp"], present: ["pwd"], firstInSession: true)) {
            try store.sign(request, by: signer("tab-1", ["pwd"]))
        }
        let first = try store.sign(request, by: signer("tab-1", ["pwd", "otp"]))
        #expect(first.record.payload.authentication.firstInSession && first.record.payload.authentication.requiredAMR == ["pwd", "otp"])
        let later = try store.sign(request, by: signer("tab-1", ["otp"]))
        #expect(!later.record.payload.authentication.firstInSession)
        #expect(throws: StoreError.authenticationComponentsMissing(missing: ["pwd", "otp"], present: ["sms"], firstInSession: false)) {
            try store.sign(request, by: signer("tab-1", ["sms"]))
        }
        #expect(throws: StoreError.authenticationComponentsMissing(missing: ["pwd"], present: ["otp"], firstInSession: true)) {
            try store.sign(request, by: signer("tab-2", ["otp"]))
        }
    }

    @Test("A signature copied into another project, onto another version, renumbered or removed fails verify")
    func copiedSignatures() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        let other = try workspace.createProject(NewProject(name: "Other", id: try ProjectID("other"), fields: [field("system_prompt"): "line 1\nline 2\n"]), by: alice)
        let signature = try store.sign(SignatureRequest(version: 1, meaning: .approved), by: alice.signer)
        let source = store.layout.directory + "/signatures/000001.json"
        let data = try #require(FileManager.default.contents(atPath: source))

        // Into another project, even with an audit entry naming it there.
        try FileManager.default.createDirectory(atPath: other.layout.directory + "/signatures", withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: other.layout.directory + "/signatures/000001.json"))
        try other.record(AuditEvent(.signatureAdded, by: alice, version: 1, data: ["file": "signatures/000001.json", "sha256": .string(signature.sha256)]))
        var report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path.hasSuffix("other/signatures/000001.json") && $0.message.contains("copied from another project") }, "\(report.findings)")
        #expect(report.damage.allSatisfy { $0.path.contains("/other/signatures/") }, "\(report.findings)")
        try FileManager.default.removeItem(atPath: other.layout.directory + "/signatures")
        // (other/ keeps the entry of a signature now missing: damage there; onco is what is looked at from here.)

        // Onto another version: the payload edited to name version 2 no longer carries the server's signature.
        let moved = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2")
            .replacingOccurrences(of: "\"draft_id\" : \"\(try store.draft(1).id)\"", with: "\"draft_id\" : \"\(try store.draft(2).id)\"")
        #expect(moved != String(decoding: data, as: UTF8.self))
        try Data(moved.utf8).write(to: URL(fileURLWithPath: source))
        report = try Verifier(workspace: workspace).verify(projects: [store.id])
        #expect(report.damage.contains { $0.path == source && $0.message.contains("does not verify") }, "\(report.findings)")

        // Excised: the file removed, its audit entry left.
        try FileManager.default.removeItem(atPath: source)
        report = try Verifier(workspace: workspace).verify(projects: [store.id])
        #expect(report.damage.contains { $0.path == source && $0.message.contains("missing: the signature was removed") }, "\(report.findings)")
        try data.write(to: URL(fileURLWithPath: source))
        #expect(try Verifier(workspace: workspace).verify(projects: [store.id]).isClean)

        // Copied again as a later signature of the same project: its number and chain give it away.
        let signatureOf2 = try store.sign(SignatureRequest(version: 2, meaning: .approved), by: alice.signer)
        let copied = store.layout.directory + "/signatures/000003.json"
        try FileManager.default.copyItem(atPath: source, toPath: copied)
        try store.record(AuditEvent(.signatureAdded, by: alice, version: 1, data: ["file": "signatures/000003.json", "sha256": .string(signature.sha256)]))
        report = try Verifier(workspace: workspace).verify(projects: [store.id])
        #expect(report.damage.contains { $0.path == copied && $0.message.contains("says it is signature 1") }, "\(report.findings)")
        #expect(report.damage.contains { $0.path == copied && $0.message.contains("prev") && $0.message.contains(signatureOf2.sha256) }, "\(report.findings)")
    }

    @Test("A signature whose audit entry a crash lost gets it at the next start; an old temp file of one is removed")
    func recovery() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        let signature = try store.sign(SignatureRequest(version: 2, meaning: .reviewed), by: Self.rita.signer)
        try AuditTrailTests.write(Array(try AuditTrailTests.lines(store).dropLast()), to: store)
        let temp = store.layout.signatures + "/.tmp-crashed"
        try Data("{".utf8).write(to: URL(fileURLWithPath: temp))
        var report = try Verifier(workspace: workspace).verify()
        // The newest signature without its entry: what a crash between the record and its line leaves.
        #expect(report.isClean && report.findings.contains { $0.state == .unauditedAnnotation && $0.path.hasSuffix("signatures/000001.json") }, "\(report.findings)")
        #expect(report.findings.contains { $0.path == temp && $0.severity == .note })
        let repairs = try workspace.recover(now: Date().addingTimeInterval(3600))
        #expect(repairs.contains("onco: audit entry added for signatures/000001.json") && repairs.contains("removed temp file \(temp)"), "\(repairs)")
        let entry = try #require(try store.audit.entries().last?.entry)
        #expect(entry.type == .signatureAdded && entry.data["sha256"]?.string == signature.sha256 && entry.data["recorded_at_recovery"] == .bool(true))
        report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean && report.findings.isEmpty, "\(report.findings)")
    }
}
