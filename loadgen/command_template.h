// --command templates for the custom workload.
//
// A template is one or more commands separated by ';' (sent together as one
// batch, so "MULTI; INCR __key__; EXEC" is one transaction). Arguments are
// separated by spaces; "double quotes" keep spaces, and \" \\ escape inside
// them. Placeholders, anywhere inside an argument:
//   __key__, __key1__ .. __key9__  a key from --key-dist; each name is drawn
//                                  once per operation (so __key__ twice is
//                                  the same key, __key1__ another)
//   __value__                      a value (--value-size), fresh each time
//   __rand_int__                   a number below --key-count, fresh each time
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tmkv::loadgen {

struct TemplatePart {
  enum Kind { kLiteral, kKey, kValue, kRandInt } kind = kLiteral;
  std::string text;  // kLiteral
  int key_slot = 0;  // kKey: 0 for __key__, 1..9 for __key1__..
};

struct TemplateArg {
  std::vector<TemplatePart> parts;
  bool literal() const { return parts.size() == 1 && parts[0].kind == TemplatePart::kLiteral; }
};

struct CommandTemplate {
  std::string source;                              // as given
  std::vector<std::vector<TemplateArg>> commands;  // one or more commands
  int key_slots = 0;                               // highest __keyN__ + 1
};

// False (and `error` set) for an empty command or an unterminated quote.
bool parse_command_template(const std::string& text, CommandTemplate& out, std::string& error);

}  // namespace tmkv::loadgen
