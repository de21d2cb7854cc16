// Everything the core offers, for callers who do not care to pick headers.
#ifndef SONDAR_SONDAR_H_
#define SONDAR_SONDAR_H_

#include "sondar/aggregate.h"
#include "sondar/alerts.h"
#include "sondar/cases.h"
#include "sondar/condition.h"
#include "sondar/decide.h"
#include "sondar/email.h"
#include "sondar/json.h"
#include "sondar/privacy.h"
#include "sondar/query.h"
#include "sondar/response.h"
#include "sondar/scoring.h"
#include "sondar/session.h"
#include "sondar/site.h"
#include "sondar/status.h"
#include "sondar/survey.h"
#include "sondar/text.h"
#include "sondar/themes.h"
#include "sondar/util.h"
#include "sondar/versions.h"

#endif  // SONDAR_SONDAR_H_
