/* libpinetl: the Pinterest pipeline's cleaning and insights. Include this one header. */
#ifndef PINETL_H
#define PINETL_H

#include "version.h"
#include "common.h"
#include "scalar.h"
#include "batch.h"
#include "reader.h"
#include "insights.h"
#include "warehouse.h"
#include "arrow.h"

#endif
