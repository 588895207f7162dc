// The structured text layers: JSON (simdjson DOM, one parser per depth so a
// JSON string holding JSON can be parsed while the outer document is walked)
// and XML (expat, element text and attributes as leaves). Both nest no
// deeper than Limits::max_json_depth; deeper documents are cut and counted.
#include <simdjson.h>

#include <charconv>
#include <climits>

#include "content/walk.h"

namespace ph::content {
namespace {

std::string_view trim_text(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// What the expat callbacks need.
struct XmlContext {
  Decoder::Walk* walk;
  Frame* frame;
  std::string* path;
  int depth;
  size_t max_nesting;
  size_t leaves_before;
  bool too_deep = false;
};

}  // namespace

// Here, where the parser types are complete.
Frame::Frame() = default;

Frame::~Frame() {
  if (xml != nullptr) XML_ParserFree(xml);
}

bool Decoder::Walk::json(std::string_view t, std::string_view key, int depth, bool hinted) {
  char first = t.front(), last = t.back();
  if (!((first == '{' && last == '}') || (first == '[' && last == ']'))) {
    if (hinted) cut("content.json-malformed");
    return false;
  }
  Frame& f = frame(depth);
  if (!f.json) {
    f.json = std::make_unique<simdjson::dom::parser>();
    if (f.json->allocate(std::max<size_t>(t.size(), 4096), d.limits_.max_json_depth) !=
        simdjson::SUCCESS) {
      f.json.reset();
      cut("content.json-alloc");
      return false;
    }
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded
  // copy kept in the frame instead of letting it allocate one per call.
  f.scratch.assign(t);
  f.scratch.resize(t.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  auto error = f.json->parse(f.scratch.data(), t.size(), false).get(root);
  if (error) {
    cut(error == simdjson::DEPTH_ERROR ? "content.json-depth" : "content.json-malformed");
    return false;
  }
  if (!enter(depth)) return true;
  EncodingMark enc(d.encodings_, "json");
  PathMark mark(d.path_);
  append_segment(d.path_, "$");
  json_element(root, key, depth);
  return true;
}

void Decoder::Walk::json_element(simdjson::dom::element e, std::string_view key, int depth) {
  if (stopped) return;
  char number[40];
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      for (auto field : simdjson::dom::object(e)) {
        PathMark mark(d.path_);
        d.path_.push_back('.');
        d.path_.append(field.key);
        json_element(field.value, field.key, depth);
        if (stopped) return;
      }
      return;
    case simdjson::dom::element_type::ARRAY: {
      size_t i = 0;
      for (auto item : simdjson::dom::array(e)) {
        PathMark mark(d.path_);
        d.path_.push_back('[');
        auto end = std::to_chars(number, number + sizeof number, i++).ptr;
        d.path_.append(number, end);
        d.path_.push_back(']');
        json_element(item, key, depth);  // an element's key is its array's
        if (stopped) return;
      }
      return;
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view s(e);
      if (!s.empty()) child(s, key, {}, depth);
      return;
    }
    // Numbers: their shortest text. Integers are exact (IMEIs arrive as
    // 15-digit numbers); doubles round-trip (coordinates).
    case simdjson::dom::element_type::INT64: {
      auto end = std::to_chars(number, number + sizeof number, int64_t(e)).ptr;
      emit(std::string_view(number, static_cast<size_t>(end - number)), key);
      return;
    }
    case simdjson::dom::element_type::UINT64: {
      auto end = std::to_chars(number, number + sizeof number, uint64_t(e)).ptr;
      emit(std::string_view(number, static_cast<size_t>(end - number)), key);
      return;
    }
    case simdjson::dom::element_type::DOUBLE: {
      auto end = std::to_chars(number, number + sizeof number, double(e)).ptr;
      emit(std::string_view(number, static_cast<size_t>(end - number)), key);
      return;
    }
    case simdjson::dom::element_type::BOOL:
    case simdjson::dom::element_type::NULL_VALUE:
      return;  // nothing personal in a flag
  }
}

namespace {

void XMLCALL xml_start(void* user, const XML_Char* name, const XML_Char** attributes) {
  auto& c = *static_cast<XmlContext*>(user);
  if (c.walk->stopped || c.frame->path_lengths.size() >= c.max_nesting) {
    c.too_deep = !c.walk->stopped;
    XML_StopParser(c.frame->xml, XML_FALSE);
    return;
  }
  c.frame->path_lengths.push_back(c.path->size());
  c.path->push_back('.');
  c.path->append(name);
  c.frame->text_starts.push_back(c.frame->text.size());
  for (size_t i = 0; attributes[i] != nullptr && attributes[i + 1] != nullptr; i += 2) {
    PathMark mark(*c.path);
    c.path->push_back('@');
    c.path->append(attributes[i]);
    std::string_view value(attributes[i + 1]);
    if (!value.empty()) c.walk->child(value, attributes[i], {}, c.depth);
  }
}

void XMLCALL xml_end(void* user, const XML_Char* name) {
  auto& c = *static_cast<XmlContext*>(user);
  Frame& f = *c.frame;
  if (f.text_starts.empty()) return;
  size_t start = f.text_starts.back();
  std::string_view text = trim_text(std::string_view(f.text).substr(start));
  if (!text.empty()) c.walk->child(text, name, {}, c.depth);
  f.text.resize(start);
  f.text_starts.pop_back();
  c.path->resize(f.path_lengths.back());
  f.path_lengths.pop_back();
}

void XMLCALL xml_text(void* user, const XML_Char* s, int len) {
  auto& c = *static_cast<XmlContext*>(user);
  if (!c.frame->text_starts.empty()) c.frame->text.append(s, static_cast<size_t>(len));
}

}  // namespace

bool Decoder::Walk::xml(std::string_view t, std::string_view key, int depth, bool hinted) {
  // Sniffed only from something that opens like markup and closes a tag.
  if (!hinted && !(t.size() >= 4 && t.front() == '<' && t.back() == '>' &&
                   (is_alpha(t[1]) || t[1] == '?' || t[1] == '!')))
    return false;
  if (t.size() > INT_MAX) return false;
  if (!enter(depth)) return true;
  Frame& f = frame(depth);
  if (f.xml == nullptr) {
    f.xml = XML_ParserCreate(nullptr);
    if (f.xml == nullptr) return false;
  } else {
    XML_ParserReset(f.xml, nullptr);
  }
  f.text.clear();
  f.text_starts.clear();
  f.path_lengths.clear();
  XmlContext c{this, &f, &d.path_, depth, d.limits_.max_json_depth, leaves};
  XML_SetUserData(f.xml, &c);
  XML_SetElementHandler(f.xml, xml_start, xml_end);
  XML_SetCharacterDataHandler(f.xml, xml_text);
#ifdef XML_DTD
  // Entity expansion is bounded to a small multiple of the input early on,
  // not only after expat's default 8 MiB.
  XML_SetBillionLaughsAttackProtectionActivationThreshold(f.xml, 64 * 1024);
#endif
  EncodingMark enc(d.encodings_, "xml");
  PathMark mark(d.path_);
  append_segment(d.path_, "xml");
  XML_Status status = XML_Parse(f.xml, t.data(), static_cast<int>(t.size()), XML_TRUE);
  if (c.too_deep) {
    cut("content.xml-depth");
  } else if (status != XML_STATUS_OK && !stopped) {
    cut("content.xml-malformed");
    // Nothing came out of it: let the other layers look (HTML, "<3 ...").
    if (leaves == c.leaves_before) return false;
  }
  return true;
}

}  // namespace ph::content
