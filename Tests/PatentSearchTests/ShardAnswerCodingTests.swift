@testable import PatentSearch
import Testing

/// The binary form of a shard's answer (`ShardAnswer.encoded`): exact, compact, and safe on
/// damaged input.
@Suite struct ShardAnswerCodingTests {
    static func sample() -> ShardAnswer {
        var statistics = CollectionStatistics()
        statistics.documents = 1_234_567
        statistics.normSums = [0: 98_765_432_100, 3: 17, 255: 0]
        statistics.frequencies = [0: [0: 12, 3: 4], 7: [:], -1: [9: Int.max]]
        let hits = [
            SearchHit(pn: "US10047600B2", score: 7.936537113180597, publicationDate: 20_180_814, applicationDate: 20_160_101, grantDate: 0),
            SearchHit(pn: "CN1234567A", score: -0.0, publicationDate: 0, applicationDate: -5, grantDate: Int.min),
            SearchHit(pn: "显示设备", score: .greatestFiniteMagnitude, publicationDate: Int.max, applicationDate: 1, grantDate: 2),
        ]
        return ShardAnswer(generation: 42, statistics: statistics, result: SearchResult(total: 99_999, hits: hits))
    }

    @Test func roundTripsExactly() throws {
        for answer in [Self.sample(), ShardAnswer(generation: 0), ShardAnswer(generation: -3, result: SearchResult(total: 0, hits: []))] {
            let decoded = try ShardAnswer(encoded: answer.encoded())
            #expect(decoded == answer)
            #expect(decoded.result?.hits.map(\.score.bitPattern) == answer.result?.hits.map(\.score.bitPattern), "scores bit for bit")
        }
        // A thousand hits take some 30 bytes each.
        let hits = (0..<1_000).map { SearchHit(pn: "US\(10_000_000 + $0)B2", score: Double($0) / 7, publicationDate: 20_200_101,
                                                applicationDate: 0, grantDate: 0) }
        let size = ShardAnswer(generation: 1, result: SearchResult(total: 1_000, hits: hits)).encoded().count
        #expect(size < 30_000, "\(size) bytes")
    }

    @Test func damagedInputIsAnErrorNeverATrap() throws {
        let bytes = Self.sample().encoded()
        // Every truncation fails.
        for length in 0..<bytes.count {
            #expect(throws: ShardAnswer.DecodingError.self) { try ShardAnswer(encoded: Array(bytes.prefix(length))) }
        }
        #expect(throws: ShardAnswer.DecodingError.self) { try ShardAnswer(encoded: bytes + [0]) }
        // A count no input could hold: refused before anything is allocated for it.
        let hostile: [UInt8] = Array("PSA1".utf8) + [0, 0, 1, 0] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(throws: ShardAnswer.DecodingError.self) { try ShardAnswer(encoded: hostile) }
        // Random damage: an error or some answer, never a crash.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var damaged = bytes
            for _ in 0..<3 { damaged[Int.random(in: 4..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? ShardAnswer(encoded: damaged)
        }
    }
}
