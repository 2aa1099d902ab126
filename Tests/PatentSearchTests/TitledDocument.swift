import PatentIndex
import PatentIngest
import PatentModel

/// A document of one publication with an English title, published 2020-01-01: what the
/// writer and durability tests index.
func document(_ pn: String, title: String) -> IndexDocument {
    var patent = Patent(publication: PublicationNumber(parsing: pn)!)
    patent.titles = [LocalizedText(language: "en", text: title)]
    patent.publicationDate = PatentDate("20200101")
    return IndexDocument(patent)
}
