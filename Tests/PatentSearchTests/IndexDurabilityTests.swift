import Foundation
@testable import PatentIndex
import Testing
@testable import PatentSearch

/// A writer stopped at each of its file operations in turn (`FaultInjectingDirectory`):
/// what a restart finds is always the generation before the work or the one after it,
/// complete, never a mix or a damaged index, and the next writer carries on from it.
@Suite("Index durability: a writer stopped at any file operation")
struct IndexDurabilityTests {
    /// The publications each title word finds, and the live document count.
    func state(_ directory: any IndexDirectory) throws -> [String: [String]] {
        let snapshot = try IndexSnapshot.open(directory)
        let searcher = Searcher(snapshot: snapshot)
        var found: [String: [String]] = ["live": ["\(snapshot.liveDocuments)"]]
        for word in ["alpha", "beta"] {
            found[word] = try searcher.search(SearchRequest(query: "TTL:\(word)")).hits.map(\.pn).sorted()
        }
        return found
    }

    /// Replaces, adds and removes publications, commits, then merges everything.
    func work(_ writer: IndexWriter) throws {
        for pn in ["EP1A1", "EP2A1", "EP3A1", "US7B2", "US8B2", "US9B2"] { writer.update(document(pn, title: "beta")) }
        writer.remove("EP6A1")
        try writer.commit()
        try writer.merge()
    }

    @Test("a crash at every file operation of a commit and a merge leaves the old or the new generation")
    func everyCrashPointLeavesOneGeneration() throws {
        let start = MemoryDirectory()
        let first = try IndexWriter(start)
        for n in 1...6 { first.update(document("EP\(n)A1", title: "alpha")) }
        try first.commit()
        for n in 4...5 { first.update(document("EP\(n)A1", title: "alpha")) }
        try first.commit()
        let before = try state(start)
        #expect(before["alpha"]?.count == 6 && before["live"] == ["6"])

        let clean = FaultInjectingDirectory(files: start.allFiles)
        try work(IndexWriter(clean))
        let after = try state(clean)
        #expect(after["beta"] == ["EP1A1", "EP2A1", "EP3A1", "US7B2", "US8B2", "US9B2"] && after["alpha"] == ["EP4A1", "EP5A1"])
        let operations = clean.operations
        #expect(operations > 30, "a commit and a merge take many file operations (\(operations))")

        var outcomes = (old: 0, new: 0)
        for failingAt in 1...operations {
            let directory = FaultInjectingDirectory(files: start.allFiles, failingAt: failingAt)
            // A fault in a removal the writer tolerates (garbage left for the next writer)
            // throws nothing; any other stops the work.
            do { try work(IndexWriter(directory)) } catch {}
            #expect(directory.failed, "operation \(failingAt)")
            let restarted = directory.crashed()
            let found = try state(restarted)
            if found == before { outcomes.old += 1 } else if found == after { outcomes.new += 1 } else {
                Issue.record("crash at operation \(failingAt) of \(operations) left \(found)")
            }
            // The next writer removes what the dead one left half-made and carries on.
            let next = try IndexWriter(restarted)
            let manifest = next.manifest
            #expect(Set(try restarted.fileNames()) == manifest.files, "operation \(failingAt): files no manifest names are gone")
            try next.verifyAndCommitOneMore(document("WO1A1", title: "alpha"))
            #expect(try state(restarted)["alpha"]?.contains("WO1A1") == true)
        }
        #expect(outcomes.old > 0 && outcomes.new > 0, "crashes landed both before and after the commit point: \(outcomes)")
    }

    @Test("a file renamed into place but not yet made durable is gone after a crash")
    func unsyncedRenamesAreDropped() throws {
        let start = MemoryDirectory()
        let writer = try IndexWriter(start)
        writer.update(document("EP1A1", title: "alpha"))
        try writer.commit()
        func secondCommit(_ directory: FaultInjectingDirectory) throws {
            let writer = try IndexWriter(directory)
            writer.update(document("EP2A1", title: "alpha"))
            try writer.commit()
        }
        let clean = FaultInjectingDirectory(files: start.allFiles)
        try secondCommit(clean)
        // The crash point between the new manifest's rename and the folder's sync: the
        // process sees the new generation, a restart the old one.
        var found = false
        for failingAt in 1...clean.operations {
            let probe = FaultInjectingDirectory(files: start.allFiles, failingAt: failingAt)
            #expect(throws: IndexError.self) { try secondCommit(probe) }
            guard try probe.contents(of: "manifest.json") != probe.crashed().contents(of: "manifest.json") else { continue }
            found = true
            #expect(try state(probe)["alpha"] == ["EP1A1", "EP2A1"], "the process itself sees the renamed manifest")
            #expect(try state(probe.crashed())["alpha"] == ["EP1A1"], "a restart does not")
        }
        #expect(found, "one crash point falls between the manifest's rename and the folder's sync")
    }
}

extension IndexWriter {
    /// Verifies every segment's checksum, then commits one more document.
    fileprivate func verifyAndCommitOneMore(_ document: IndexDocument) throws {
        try IndexSnapshot.open(directory).verifyChecksums()
        update(document)
        try commit()
    }
}
