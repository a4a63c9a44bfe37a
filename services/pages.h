// Pages of the registers (ListBeneficiaries, ListBranches) and parts of a
// WatchBalances snapshot: every reply bounded in items and bytes.
//
// A page token is the id of the last item of the page before (the lists are
// sorted by id, and ids are what the list shows anyway), so a page is found
// again without any state on the server.
#ifndef SERVICES_PAGES_H_
#define SERVICES_PAGES_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "ledger/limits.h"

namespace ledger {

// Cuts `items` (sorted by `id_of`) to the page after `page_token` of at most
// `page_size` items (0 = kDefaultListPage; at most kMaxListPage) and
// kMaxReplyBytes; returns the next page's token, or "" on the last page.
template <typename T, typename IdOf>
std::string CutPage(google::protobuf::RepeatedPtrField<T>* items, uint32_t page_size,
                    const std::string& page_token, IdOf id_of) {
  const size_t size =
      page_size == 0 ? kDefaultListPage : std::min<uint32_t>(page_size, kMaxListPage);
  int first = 0;
  if (!page_token.empty()) {
    first = static_cast<int>(std::upper_bound(items->begin(), items->end(), page_token,
                                              [&](const std::string& token, const T& item) {
                                                return token < id_of(item);
                                              }) -
                             items->begin());
  }
  int end = first;
  size_t bytes = 0;
  while (end < items->size() && static_cast<size_t>(end - first) < size) {
    const size_t item_bytes = items->Get(end).ByteSizeLong();
    if (end > first && bytes + item_bytes > kMaxReplyBytes) break;
    bytes += item_bytes;
    ++end;
  }
  std::string next = end < items->size() && end > first ? id_of(items->Get(end - 1)) : "";
  items->DeleteSubrange(end, items->size() - end);
  items->DeleteSubrange(0, first);
  return next;
}

}  // namespace ledger

#endif  // SERVICES_PAGES_H_
