import Foundation
import PatentModel

/// The offices' original PDFs, kept beside the database in `originals/<PN>.pdf` (not in
/// it: they are large and only ever read whole). Imported from files named by
/// publication number; a pdf export takes the original instead of a rendering.
extension PatentStore {
    /// The folder of the originals.
    public var originalsDirectory: String {
        ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("originals")
    }

    /// Stores (or replaces) the original PDF of a publication, durably.
    public func saveOriginalPDF(_ bytes: [UInt8], pn: String) throws {
        try FileManager.default.createDirectory(atPath: originalsDirectory, withIntermediateDirectories: true)
        try DurableWrite.write(bytes, to: originalPDFLocation(pn))
    }

    /// The original PDF of a publication, when the store holds one.
    public func originalPDF(_ pn: String) -> String? {
        let location = originalPDFLocation(pn)
        return FileManager.default.fileExists(atPath: location) ? location : nil
    }

    private func originalPDFLocation(_ pn: String) -> String {
        (originalsDirectory as NSString).appendingPathComponent(pn + ".pdf")
    }
}
