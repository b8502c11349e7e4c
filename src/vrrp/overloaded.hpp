#pragma once
// The usual visitor helper for std::visit over the event and action variants.

namespace vigil::vrrp {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace vigil::vrrp
