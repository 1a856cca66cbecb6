// Field tables (fields.h) as JSON objects: one key per field, named as in the table; choices as their names.
// Header-only so that only the layers that speak JSON (explore, runs, the CLI) include nlohmann-json.
#pragma once

#include "axtrain/util/check.h"
#include "axtrain/util/fields.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>
#include <vector>

namespace axtrain {

// What a field's value must be, in words, for messages: its rule, or "a finite number" (the rule every
// number has).
template <class S>
std::string field_requirement(const Field<S>& field) {
  const std::string rule = field.rule.describe();
  return rule.empty() ? "a finite number" : rule;
}

// Every field of `s`. Throws axtrain::Error naming the field when a value breaks its rule (a non-finite number,
// say), so nothing invalid is ever written.
template <class S>
nlohmann::json fields_to_json(const std::vector<Field<S>>& fields, const S& s, std::string_view record) {
  nlohmann::json j = nlohmann::json::object();
  for (const Field<S>& field : fields) {
    const FieldRef ref = field.ref(s);
    AXT_CHECK(satisfies(field.rule, ref), "{} field {} is {}; it must be {}", record, field.name, format_value(ref),
              field_requirement(field));
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, ChoiceRef>)
            j[field.name] = std::string(v.name());
          else
            j[field.name] = *v;
        },
        ref);
  }
  return j;
}

// Reads every field into `s`. Throws axtrain::Error naming the field when one is missing, unknown, of the
// wrong type or breaks its rule. `record` names the object in messages, e.g. "result row".
template <class S>
void fields_from_json(const std::vector<Field<S>>& fields, const nlohmann::json& j, S& s, std::string_view record) {
  AXT_CHECK(j.is_object(), "a {} must be a JSON object, not {}", record, j.dump());
  StringList names;
  for (const Field<S>& field : fields) names.push_back(field.name);
  for (const auto& [name, value] : j.items())
    AXT_CHECK(std::find(names.begin(), names.end(), name) != names.end(),
              "{} has an unknown field \"{}\"; the fields are: {}", record, name, fmt::join(names, ", "));
  for (const Field<S>& field : fields) {
    const auto it = j.find(field.name);
    AXT_CHECK(it != j.end(), "{} has no field \"{}\"; every {} needs all of: {}", record, field.name, record,
              fmt::join(names, ", "));
    const nlohmann::json& v = *it;
    const FieldRef ref = field.ref(s);
    const auto wrong = [&] {
      AXT_FAIL("{} field \"{}\" is {}; it must be {}", record, field.name, v.dump(), type_name(ref));
    };
    std::visit(
        [&](const auto& target) {
          using T = std::decay_t<decltype(target)>;
          if constexpr (std::is_same_v<T, ChoiceRef>) {
            if (!v.is_string() || !target.set_name(v.get<std::string>())) wrong();
          } else if constexpr (std::is_same_v<T, int*>) {
            if (!v.is_number_integer() || v.get<std::int64_t>() < std::numeric_limits<int>::min() ||
                v.get<std::int64_t>() > std::numeric_limits<int>::max())
              wrong();
            *target = static_cast<int>(v.get<std::int64_t>());
          } else if constexpr (std::is_same_v<T, double*>) {
            if (!v.is_number()) wrong();
            *target = v.get<double>();
          } else if constexpr (std::is_same_v<T, bool*>) {
            if (!v.is_boolean()) wrong();
            *target = v.get<bool>();
          } else if constexpr (std::is_same_v<T, std::string*>) {
            if (!v.is_string()) wrong();
            *target = v.get<std::string>();
          } else {
            try {
              *target = v.get<std::remove_pointer_t<T>>();
            } catch (const nlohmann::json::exception&) {
              wrong();
            }
          }
        },
        ref);
    AXT_CHECK(satisfies(field.rule, ref), "{} field \"{}\" is {}; it must be {}", record, field.name, v.dump(),
              field_requirement(field));
  }
}

}  // namespace axtrain
