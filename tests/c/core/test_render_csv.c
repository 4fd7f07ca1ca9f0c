/* Spec 2 output, CSV: header of column names, RFC 4180 quoting, null as an empty field,
 * coordinates as [lat,lon], timestamps as in JSON. */
#include "check.h"
#include "core_util.h"

static void test_csv(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_GEO);
    const char *recs[] = {
        "{\"ind\": 7528, \"timestamp\": \"2020-08-28 03:52:47\", \"latitude\": -89.9787, \"longitude\": -173.293, \"country\": \"Albania\"}",
        "{\"ind\": 1, \"country\": \"Korea, \\\"South\\\"\"}",
        "{\"ind\": 2, \"country\": \"two\\nlines\\r\"}",
        "[]",
        "{\"ind\": 3, \"country\": \"plain\"}",
    };
    for (int i = 0; i < 5; i++) pinetl__batch_add_record(b, recs[i], strlen(recs[i]), i + 1, 0);
    const char *out;
    size_t len;
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_CSV, 1, &out, &len), 0);
    CHECK_MEM(out, len,
              "ind,country,coordinates,timestamp\n"
              "7528,Albania,\"[-89.9787,-173.293]\",2020-08-28T03:52:47Z\n"
              "1,\"Korea, \"\"South\"\"\",,\n"
              "2,\"two\nlines\r\",,\n"
              "3,plain,,\n");
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_CSV, 0, &out, &len), 0);
    CHECK_MEM(out, len,
              "7528,Albania,\"[-89.9787,-173.293]\",2020-08-28T03:52:47Z\n"
              "1,\"Korea, \"\"South\"\"\",,\n"
              "2,\"two\nlines\r\",,\n"
              "3,plain,,\n");
    pinetl_batch_free(b);
}

static void test_csv_pin_header(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_PIN);
    const char *out;
    size_t len;
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_CSV, 1, &out, &len), 0);
    CHECK_MEM(out, len, "ind,unique_id,title,description,follower_count,poster_name,tag_list,"
                        "is_image_or_video,image_src,save_location,category\n");
    const char *rec = "{\"index\": 5, \"follower_count\": \"1.5k\", \"title\": \"x\"}";
    pinetl__batch_add_record(b, rec, strlen(rec), 1, 0);
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_CSV, 0, &out, &len), 0);
    CHECK_MEM(out, len, "5,,x,,1500,,,,,,\n");
    pinetl_batch_free(b);
}

int main(void)
{
    RUN(test_csv);
    RUN(test_csv_pin_header);
    return check_done();
}
