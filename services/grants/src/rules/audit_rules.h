// What an applicant sees of its own application's audit trail. The county sees the whole
// trail; the applicant only the steps that concern it as a party: its own changes, the
// decision, payments, reports, reclaims and amendments. Reviews (who assessed and how they
// scored) and any action added later stay with the county until listed here: deny by default.
#pragma once

#include <span>
#include <string_view>

namespace integration::grants {

// The audit actions ("<resource type>.<verb>", api::AuditAction) an applicant may see.
std::span<const std::string_view> ApplicantVisibleActions();

// Whether `action` is one of them.
bool ApplicantMaySee(std::string_view action);

}  // namespace integration::grants
