#include "store/op_status.h"

namespace tmkv::store {

std::string_view op_status_message(OpStatus s) {
  switch (s) {
    case OpStatus::kOk:
      return "OK";
    case OpStatus::kWrongType:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case OpStatus::kNotInteger:
      return "ERR value is not an integer or out of range";
    case OpStatus::kOverflow:
      return "ERR increment or decrement would overflow";
    case OpStatus::kValueTooLarge:
      return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case OpStatus::kKeyTooLarge:
      return "ERR key exceeds maximum allowed size";
  }
  return "ERR unknown error";
}

}  // namespace tmkv::store
