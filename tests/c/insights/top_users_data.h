/* Shared data of the top_user_by_country and top_country_by_followers tests. */
static const fx_data top_users_data = {
    "{\"index\": 1, \"poster_name\": \"Alice\", \"follower_count\": \"10k\"}\n"
    "{\"index\": 2, \"poster_name\": \"Bob\", \"follower_count\": \"10000\"}\n"
    "{\"index\": 3, \"poster_name\": \"Alice\", \"follower_count\": \"10k\"}\n"
    "{\"index\": 4, \"poster_name\": \"Carol\", \"follower_count\": \"5k\"}\n"
    "{\"index\": 5, \"poster_name\": \"Dave\", \"follower_count\": \"User Info Error\"}\n"
    "{\"index\": 6, \"poster_name\": \"User Info Error\", \"follower_count\": \"1M\"}\n"
    "{\"index\": 7, \"poster_name\": \"Eve\", \"follower_count\": \"2M\"}\n"
    "{\"index\": 8, \"poster_name\": \"Eve\", \"follower_count\": \"1M\"}\n"
    "{\"index\": 9, \"poster_name\": \"Frank\", \"follower_count\": \"1k\"}\n"
    "{\"index\": 9, \"poster_name\": \"Frank\", \"follower_count\": \"2M\"}\n"
    "{\"index\": 10, \"poster_name\": \"Gina\", \"follower_count\": 3000000}\n"
    "{\"index\": 11, \"poster_name\": \"Zed\", \"follower_count\": \"2m\"}\n"
    "{\"index\": 12, \"poster_name\": \"Hal\", \"follower_count\": \"900\"}\n",
    "{\"ind\": 1, \"country\": \"France\"}\n"
    "{\"ind\": 2, \"country\": \"France\"}\n"
    "{\"ind\": 3, \"country\": \"France\"}\n"
    "{\"ind\": 4, \"country\": \"France\"}\n"
    "{\"ind\": 5, \"country\": \"France\"}\n"
    "{\"ind\": 6, \"country\": \"France\"}\n"
    "{\"ind\": 7, \"country\": \"Spain\"}\n"
    "{\"ind\": 8, \"country\": \"Spain\"}\n"
    "{\"ind\": 9, \"country\": \"Albania\"}\n"
    "{\"ind\": 10}\n"
    "{\"ind\": 11, \"country\": \"Spain\"}\n"
    "{\"ind\": 12, \"country\": \"Chad\"}\n",
    NULL};
