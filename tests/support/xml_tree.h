// Parsing XML output in tests with expat (a dependency of phonehome) into a
// small tree, so tests assert on elements and attributes, not on text.
#pragma once

#include <expat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ph::test {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside
  std::vector<std::unique_ptr<XmlElement>> children;

  std::vector<const XmlElement*> all(const std::string& child) const {
    std::vector<const XmlElement*> out;
    for (const auto& c : children)
      if (c->name == child) out.push_back(c.get());
    return out;
  }
  const XmlElement* first(const std::string& child) const {
    auto v = all(child);
    return v.empty() ? nullptr : v[0];
  }
  std::string attr(const std::string& k) const {
    auto it = attrs.find(k);
    return it == attrs.end() ? std::string() : it->second;
  }
};

// The document element, or null when `xml` is not well-formed (`error` says why).
inline std::unique_ptr<XmlElement> parse_xml(const std::string& xml, std::string* error = nullptr) {
  struct State {
    std::unique_ptr<XmlElement> root;
    std::vector<XmlElement*> stack;
  } st;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &st);
  XML_SetElementHandler(
      p,
      [](void* ud, const XML_Char* name, const XML_Char** atts) {
        auto* s = static_cast<State*>(ud);
        auto e = std::make_unique<XmlElement>();
        e->name = name;
        for (size_t i = 0; atts[i]; i += 2) e->attrs[atts[i]] = atts[i + 1];
        XmlElement* raw = e.get();
        if (s->stack.empty()) {
          s->root = std::move(e);
        } else {
          s->stack.back()->children.push_back(std::move(e));
        }
        s->stack.push_back(raw);
      },
      [](void* ud, const XML_Char*) { static_cast<State*>(ud)->stack.pop_back(); });
  XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* s, int len) {
    auto* st = static_cast<State*>(ud);
    if (!st->stack.empty()) st->stack.back()->text.append(s, size_t(len));
  });
  bool ok = XML_Parse(p, xml.data(), int(xml.size()), 1) == XML_STATUS_OK;
  if (!ok && error) {
    *error = std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
             std::to_string(XML_GetCurrentLineNumber(p));
  }
  XML_ParserFree(p);
  if (!ok) return nullptr;
  return std::move(st.root);
}

}  // namespace ph::test
