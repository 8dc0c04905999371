#include "loadgen/command_template.h"

#include <algorithm>
#include <cstring>

namespace tmkv::loadgen {

namespace {

// Splits one argument's text into literals and placeholders.
void split_placeholders(const std::string& arg, TemplateArg& out, int& key_slots) {
  size_t pos = 0, lit = 0;
  auto flush_literal = [&](size_t end) {
    if (end > lit) out.parts.push_back({TemplatePart::kLiteral, arg.substr(lit, end - lit), 0});
  };
  while ((pos = arg.find("__", pos)) != std::string::npos) {
    TemplatePart p;
    size_t len = 0;
    if (arg.compare(pos, 7, "__key__") == 0) {
      p.kind = TemplatePart::kKey;
      len = 7;
    } else if (arg.compare(pos, 5, "__key") == 0 && pos + 8 <= arg.size() && arg[pos + 5] >= '1' &&
               arg[pos + 5] <= '9' && arg.compare(pos + 6, 2, "__") == 0) {
      p.kind = TemplatePart::kKey;
      p.key_slot = arg[pos + 5] - '0';
      len = 8;
    } else if (arg.compare(pos, 9, "__value__") == 0) {
      p.kind = TemplatePart::kValue;
      len = 9;
    } else if (arg.compare(pos, 12, "__rand_int__") == 0) {
      p.kind = TemplatePart::kRandInt;
      len = 12;
    } else {
      pos += 2;
      continue;
    }
    flush_literal(pos);
    if (p.kind == TemplatePart::kKey) key_slots = std::max(key_slots, p.key_slot + 1);
    out.parts.push_back(p);
    pos += len;
    lit = pos;
  }
  flush_literal(arg.size());
  if (out.parts.empty()) out.parts.push_back({TemplatePart::kLiteral, "", 0});  // ""
}

}  // namespace

bool parse_command_template(const std::string& text, CommandTemplate& out, std::string& error) {
  out = CommandTemplate{};
  out.source = text;
  std::vector<TemplateArg> cmd;
  std::string cur;
  bool in_arg = false;
  auto end_arg = [&] {
    if (!in_arg) return;
    TemplateArg a;
    split_placeholders(cur, a, out.key_slots);
    cmd.push_back(std::move(a));
    cur.clear();
    in_arg = false;
  };
  auto end_command = [&]() -> bool {
    end_arg();
    if (cmd.empty()) {
      error = "--command '" + text + "': empty command";
      return false;
    }
    out.commands.push_back(std::move(cmd));
    cmd.clear();
    return true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      in_arg = true;
      for (++i;; ++i) {
        if (i >= text.size()) {
          error = "--command '" + text + "': unterminated quote";
          return false;
        }
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        cur += text[i];
      }
    } else if (c == ';') {
      if (!end_command()) return false;
    } else if (std::strchr(" \t\n", c)) {
      end_arg();
    } else {
      in_arg = true;
      cur += c;
    }
  }
  return end_command();
}

}  // namespace tmkv::loadgen
