#pragma once
// CoNLL-U reader and writer (https://universaldependencies.org/format.html), shared by the POS
// tagger and the dependency parser.
//
// Accepted: comment lines (# ...; "# sent_id = X" is kept), multiword-token ranges ("3-4") and empty
// nodes ("8.1") which are kept verbatim for writing back but are not tokens, CRLF line ends, fields
// separated by tabs (or, tolerated, runs of spaces when a line has no tab), a missing final newline,
// several blank lines between sentences.
// Errors: DatasetError "<file>:<line>: <what was expected>" for a wrong number of fields, a
// non-integer ID or HEAD, IDs out of sequence, an empty file, unreadable file.
#include <string>
#include <string_view>
#include <vector>

namespace meprop {

struct ConlluToken {
    int id = 0;  // 1-based position in the sentence
    std::string form, lemma, upos, xpos, feats;
    int head = -1;  // 0 = root; -1 when the HEAD column is "_"
    std::string deprel, deps, misc;
};

struct ConlluSentence {
    std::string sentId;       // from "# sent_id = ...", or "<file>:<line>" when absent
    int firstLine = 0;        // 1-based line number of the sentence's first line in its file
    std::vector<ConlluToken> tokens;
    // Every line of the sentence as read (comments, ranges, empty nodes, tokens), without line end;
    // writeConllu re-emits these with the token fields replaced from `tokens`.
    std::vector<std::string> lines;
};

// maxSentences > 0 stops after that many sentences.
std::vector<ConlluSentence> readConllu(const std::string& path, long maxSentences = 0);
// The same from the file's text in memory; `name` stands for the file in messages and sentence ids.
std::vector<ConlluSentence> parseConllu(std::string_view text, const std::string& name, long maxSentences = 0);

// Writes the sentences atomically (temporary file + rename). Token lines are rebuilt from
// `tokens` (so a model's XPOS or HEAD/DEPREL appear); every other line is copied.
void writeConllu(const std::string& path, const std::vector<ConlluSentence>& sentences);
// The text writeConllu writes.
std::string formatConllu(const std::vector<ConlluSentence>& sentences);

}  // namespace meprop
