import Testing
@testable import PatentModel

@Suite("IPC/CPC normalisation")
struct ClassificationTests {
    @Test("every office spelling gives one form", arguments: [
        ("H01M 10/0525", "H01M10/0525"),
        ("H01M10/0525", "H01M10/0525"),
        ("H01M0010052500", "H01M10/0525"),
        ("A24C   5/20        20060101AFI20150420BHEP", "A24C5/20"),
        ("E21B   7/    00            A I", "E21B7/00"),
        ("G09G    3/36    (2006.01)", "G09G3/36"),
        ("A63B24/0021 20130101", "A63B24/0021"),
        ("A41D001/06", "A41D1/06"),
        ("A62B 3502", "A62B35/02"),
        ("A45F  504", "A45F5/04"),
        ("G06F  944", "G06F9/44"),
        ("H01M 10/050", "H01M10/05"),
        ("B28B5/02", "B28B5/02"),
        ("H01M", "H01M"),
        ("H01", "H01"),
        ("H", "H"),
    ])
    func normalise(text: String, expected: String) {
        #expect(Classification.normalise(text) == expected)
    }

    @Test("USPTO further classifications continue the main subclass")
    func continuation() {
        #expect(Classification.normalise("  2115", continuing: "A62B") == "A62B21/15")
        #expect(Classification.normalise("  2115") == nil)
    }

    @Test("codes of other schemes and text are refused", arguments: ["C03B19/14D", "battery", "", "12/34"])
    func refused(text: String) {
        #expect(Classification.normalise(text) == nil)
    }
}
