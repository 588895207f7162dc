// The structured text layers: JSON (simdjson On-Demand, numbers kept as
// their text) and XML (expat, element text and attributes as leaves). Both nest no
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

// One per depth, so a JSON string holding JSON can be parsed while the
// outer document is still being walked.
struct JsonParser {
  simdjson::ondemand::parser parser;
};

namespace {

// JSON number grammar (RFC 8259 6). On-Demand hands numbers over as raw
// text, which keeps integers of any length exact (a 20-digit ICCID sent as a
// number overflows 64 bits); the text is checked here instead.
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

// Here, where the parser types are complete.
Frame::Frame() = default;

Frame::~Frame() {
  if (xml != nullptr) XML_ParserFree(xml);
}

void Frame::release_above(size_t bytes) {
  if (out.capacity() > bytes) std::string().swap(out);
  if (scratch.capacity() > bytes) std::string().swap(scratch);
  if (text.capacity() > bytes) std::string().swap(text);
  if (json && json->parser.capacity() > bytes) json.reset();
}

bool Decoder::Walk::json(std::string_view t, std::string_view key, int depth, bool hinted) {
  char first = t.front(), last = t.back();
  if (!((first == '{' && last == '}') || (first == '[' && last == ']'))) {
    if (hinted) cut("content.json-malformed");
    return false;
  }
  Frame& f = frame(depth);
  if (!f.json) f.json = std::make_unique<JsonParser>();
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded
  // copy kept in the frame instead of letting it allocate one per call.
  f.scratch.assign(t);
  f.scratch.resize(t.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  size_t leaves_before = leaves;
  int error = f.json->parser.iterate(f.scratch.data(), t.size(), f.scratch.size()).get(doc);
  if (!error && !enter(depth)) return true;
  if (!error) {
    EncodingMark enc(d.encodings_, "json");
    PathMark mark(d.path_);
    append_segment(d.path_, "$");
    simdjson::ondemand::value root;
    error = doc.get_value().get(root);
    if (!error) error = json_value(root, key, depth, 0);
    // Walked to the end, the iterator has no location left (3.0 has no
    // at_end()): anything else is a second document or garbage.
    if (!error && !stopped && doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
      error = simdjson::TRAILING_CONTENT;
  }
  if (error == simdjson::SUCCESS || stopped) return true;
  cut(error == simdjson::DEPTH_ERROR ? "content.json-depth" : "content.json-malformed");
  // What was walked before the error stays emitted; with nothing out of it
  // the other layers may still look ("{user}" is a template, not JSON).
  return error == simdjson::DEPTH_ERROR || leaves != leaves_before;
}

template <class Value>
int Decoder::Walk::json_value(Value& value, std::string_view key, int depth, size_t nesting) {
  using simdjson::ondemand::json_type;
  json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case json_type::object: {
      if (nesting >= d.limits_.max_json_depth) return simdjson::DEPTH_ERROR;
      simdjson::ondemand::object object;
      if (auto e = value.get_object().get(object)) return e;
      for (auto field : object) {
        std::string_view name;
        if (auto e = field.unescaped_key().get(name)) return e;
        simdjson::ondemand::value member;
        if (auto e = field.value().get(member)) return e;
        PathMark mark(d.path_);
        d.path_.push_back('.');
        d.path_.append(name);
        if (auto e = json_value(member, name, depth, nesting + 1)) return e;
        if (stopped) return simdjson::SUCCESS;
      }
      return simdjson::SUCCESS;
    }
    case json_type::array: {
      if (nesting >= d.limits_.max_json_depth) return simdjson::DEPTH_ERROR;
      simdjson::ondemand::array array;
      if (auto e = value.get_array().get(array)) return e;
      size_t i = 0;
      char number[24];
      for (auto item : array) {
        simdjson::ondemand::value element;
        if (auto e = item.get(element)) return e;
        PathMark mark(d.path_);
        d.path_.push_back('[');
        auto end = std::to_chars(number, number + sizeof number, i++).ptr;
        d.path_.append(number, end);
        d.path_.push_back(']');
        if (auto e = json_value(element, key, depth, nesting + 1)) return e;  // its array's key
        if (stopped) return simdjson::SUCCESS;
      }
      return simdjson::SUCCESS;
    }
    case json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      if (!s.empty()) child(s, key, {}, depth);
      return simdjson::SUCCESS;
    }
    case json_type::number: {
      std::string_view raw = trim_text(value.raw_json_token());
      if (!is_json_number(raw)) return simdjson::NUMBER_ERROR;
      emit(raw, key);
      return simdjson::SUCCESS;
    }
    case json_type::boolean: {
      bool b;
      return value.get_bool().get(b);  // validated; nothing personal in a flag
    }
    case json_type::null: {
      bool is_null;
      if (auto e = value.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::INCORRECT_TYPE;
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
